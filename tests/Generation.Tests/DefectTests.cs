using System.Text.Json;
using System.Text.RegularExpressions;

namespace YoungCarers.Generation.Tests;

/// <summary>Invalid lines and duplicates come at the rates asked for, and are broken the way they say.</summary>
public partial class DefectTests
{
    private static readonly GenerationOptions Noisy = new(Families: 1000, Seed: 11, InvalidRate: 0.05, DuplicateRate: 0.02);

    private static readonly Lazy<List<GeneratedLine>> NoisyLines = new(() => [.. EventGenerator.Generate(Noisy)]);

    [Fact]
    public void The_invalid_rate_is_roughly_honoured()
    {
        var lines = NoisyLines.Value;

        var invalid = (double)lines.Count(line => !line.IntendedValid) / lines.Count;

        Assert.InRange(invalid, 0.04, 0.06);
    }

    [Fact]
    public void The_default_invalid_rate_is_one_percent()
    {
        var lines = Lines.ForFamilies(1000);

        var invalid = (double)lines.Count(line => !line.IntendedValid) / lines.Count;

        Assert.InRange(invalid, 0.005, 0.015);
    }

    [Fact]
    public void A_zero_invalid_rate_gives_only_valid_lines() =>
        Assert.All(EventGenerator.Generate(new GenerationOptions(Families: 200, InvalidRate: 0)), line => Assert.True(line.IntendedValid));

    [Fact]
    public void Every_kind_of_defect_occurs()
    {
        var kinds = NoisyLines.Value.Where(line => !line.IntendedValid).Select(line => line.Defect).ToHashSet();

        Assert.Equal(Enum.GetValues<LineDefect>().Where(kind => kind != LineDefect.None), kinds.Order());
    }

    [Fact]
    public void A_defective_line_is_followed_by_its_corrected_event()
    {
        var lines = NoisyLines.Value;

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].IntendedValid)
            {
                Assert.Equal(LineDefect.None, lines[i].Defect);
                continue;
            }

            var corrected = lines[i + 1];
            Assert.True(corrected.IntendedValid);
            Assert.Equal(lines[i].FamilyKey, corrected.FamilyKey);
            Assert.NotEqual(lines[i].Json, corrected.Json);
        }
    }

    [Fact]
    public void Each_defect_breaks_the_line_as_it_says()
    {
        var lines = NoisyLines.Value;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.IntendedValid)
            {
                continue;
            }

            if (line.Defect == LineDefect.TruncatedJson)
            {
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(line.Json));
                Assert.StartsWith(line.Json, lines[i + 1].Json, StringComparison.Ordinal);
                continue;
            }

            var envelope = JsonDocument.Parse(line.Json).RootElement;
            var corrected = JsonDocument.Parse(lines[i + 1].Json).RootElement;
            switch (line.Defect)
            {
                case LineDefect.UnknownType:
                    Assert.DoesNotContain(envelope.GetProperty("type").GetString()!, Lines.CatalogueTypes);
                    break;
                case LineDefect.BadNhsNumber:
                    Assert.Contains(Lines.People(envelope.GetProperty("data")), person =>
                        person.Person.TryGetProperty("nhsNumber", out var number) && !Lines.IsValidNhsNumber(number.GetString()!));
                    break;
                case LineDefect.MissingRequiredField:
                    Assert.Equal(FieldCount(corrected) - 1, FieldCount(envelope));
                    break;
                case LineDefect.ImpossibleDate:
                    var date = ChangedDataField(envelope, corrected);
                    Assert.Matches(DateShaped(), date);
                    Assert.False(Lines.IsIsoDate(date), date);
                    break;
                case LineDefect.BadEnumValue:
                    var value = ChangedDataField(envelope, corrected);
                    Assert.True(value == "RC10" || char.IsAsciiLetterUpper(value[0]), value);
                    break;
            }
        }
    }

    [Fact]
    public void A_duplicate_repeats_the_line_before_it_exactly()
    {
        var lines = NoisyLines.Value;
        var duplicates = 0;

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].IsDuplicate)
            {
                duplicates++;
                Assert.True(lines[i].IntendedValid);
                Assert.Equal(lines[i - 1].Json, lines[i].Json);
            }
        }

        var rate = (double)duplicates / lines.Count(line => line.IntendedValid && !line.IsDuplicate);
        Assert.InRange(rate, 0.012, 0.028);
    }

    /// <summary>Envelope attributes and data fields.</summary>
    private static int FieldCount(JsonElement envelope) =>
        envelope.EnumerateObject().Count() + envelope.GetProperty("data").EnumerateObject().Count();

    /// <summary>The one data field whose value differs from the corrected event's.</summary>
    private static string ChangedDataField(JsonElement envelope, JsonElement corrected)
    {
        var correctData = corrected.GetProperty("data");
        var changed = Assert.Single(envelope.GetProperty("data").EnumerateObject(), field => field.Value.ToString() != correctData.GetProperty(field.Name).ToString());
        return changed.Value.GetString()!;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateShaped();
}
