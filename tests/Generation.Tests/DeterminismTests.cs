using System.Text;

namespace YoungCarers.Generation.Tests;

public class DeterminismTests
{
    [Fact]
    public async Task The_same_options_give_byte_identical_output()
    {
        var options = new GenerationOptions(Families: 80, Seed: 7);

        var first = await Lines.NdjsonAsync(options);
        var second = await Lines.NdjsonAsync(options with { });

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Generate_describes_exactly_the_lines_WriteNdjsonAsync_writes()
    {
        var options = new GenerationOptions(Families: 80, Seed: 3, InvalidRate: 0.1, DuplicateRate: 0.05);

        var written = await Lines.NdjsonAsync(options);
        var described = string.Concat(EventGenerator.Generate(options).Select(line => line.Json + "\n"));

        Assert.Equal(Encoding.UTF8.GetString(written), described);
    }

    [Fact]
    public async Task Different_seeds_give_different_output()
    {
        var one = await Lines.NdjsonAsync(new GenerationOptions(Families: 20, Seed: 1));
        var two = await Lines.NdjsonAsync(new GenerationOptions(Families: 20, Seed: 2));

        Assert.NotEqual(one, two);
    }

    [Fact]
    public void The_valid_events_do_not_depend_on_the_invalid_or_duplicate_rates()
    {
        var clean = EventGenerator.Generate(new GenerationOptions(Families: 100, InvalidRate: 0, DuplicateRate: 0)).ToList();
        var noisy = EventGenerator.Generate(new GenerationOptions(Families: 100, InvalidRate: 0.2, DuplicateRate: 0.1)).ToList();

        Assert.All(clean, line => Assert.True(line.IntendedValid && !line.IsDuplicate));
        Assert.Equal(clean.Select(line => line.Json), Lines.FirstDeliveries(noisy).Select(line => line.Json));
        Assert.True(noisy.Count > clean.Count);
    }

    [Fact]
    public void Generation_streams_rather_than_building_everything_first()
    {
        // The largest run would take minutes and gigabytes if it were built before the first line.
        var first = EventGenerator.Generate(new GenerationOptions(GenerationOptions.MaxFamilies)).Take(10).ToList();

        Assert.Equal(10, first.Count);
    }

    [Fact]
    public void No_families_give_no_lines() => Assert.Empty(EventGenerator.Generate(new GenerationOptions(0)));

    [Theory]
    [InlineData(-1, 0.01, 0.005)]
    [InlineData(GenerationOptions.MaxFamilies + 1, 0.01, 0.005)]
    [InlineData(10, -0.1, 0.005)]
    [InlineData(10, 0.6, 0.005)]
    [InlineData(10, 0.01, 0.9)]
    public void Options_that_cannot_be_honoured_are_refused_up_front(int families, double invalidRate, double duplicateRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EventGenerator.Generate(new GenerationOptions(families, InvalidRate: invalidRate, DuplicateRate: duplicateRate)));

    [Fact]
    public void A_window_too_short_for_a_storyline_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EventGenerator.Generate(new GenerationOptions(10, Start: new DateOnly(2025, 1, 1), End: new DateOnly(2025, 2, 1))));
}
