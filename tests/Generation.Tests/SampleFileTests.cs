using YoungCarers.Testing;

namespace YoungCarers.Generation.Tests;

/// <summary>The committed sample is exactly what the generator writes for the options samples/README.md documents.</summary>
public class SampleFileTests
{
    /// <summary>The options samples/README.md documents; a high invalid rate puts every kind of defect in a small file.</summary>
    private static readonly GenerationOptions SampleOptions = new(Families: 40, Seed: 1, InvalidRate: 0.1);

    /// <summary>Set to 1 to rewrite the sample after a deliberate change to the generator.</summary>
    private const string RegenerateVariable = "YC_REGENERATE_SAMPLES";

    [Fact]
    public async Task The_sample_file_is_what_the_generator_writes()
    {
        var path = RepositoryFiles.PathOf("samples", "events.sample.ndjson");
        var expected = await Lines.NdjsonAsync(SampleOptions);
        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            await File.WriteAllBytesAsync(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run the tests with {RegenerateVariable}=1 to write it.");
        var committed = await File.ReadAllBytesAsync(path);
        Assert.True(
            expected.AsSpan().SequenceEqual(committed),
            $"{path} differs from the generator's output; if the change is deliberate, run the tests with {RegenerateVariable}=1.");
    }
}
