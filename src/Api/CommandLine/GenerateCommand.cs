using System.CommandLine;
using System.Globalization;
using YoungCarers.Generation;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// <c>generate [--families N] [--seed S] [--out FILE]</c>: synthetic inbound events as NDJSON, for
/// demos, tests and benchmarks (<c>replay</c> reads them back). The same options always give the same bytes.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var families = new Option<int>("--families")
        {
            Description = "How many synthetic families, each with its own storyline of events.",
            DefaultValueFactory = _ => 100,
        };
        families.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > GenerationOptions.MaxFamilies)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--families must be between 1 and {GenerationOptions.MaxFamilies}."));
            }
        });
        var seed = new Option<int>("--seed") { Description = "Varies names, dates and storylines; the same seed gives the same file.", DefaultValueFactory = _ => 1 };
        var invalidRate = Rate("--invalid-rate", "The share of lines that are deliberately invalid (each followed by its correction).", 0.01);
        var duplicateRate = Rate("--duplicate-rate", "The share of valid events delivered a second time.", 0.005);
        var output = new Option<FileInfo?>("--out") { Description = "The file to write (replaced if it exists); standard output when left out." };

        var generate = new Command("generate", "Write synthetic CloudEvents as NDJSON: families whose young carers are, and are not, handed over between services.")
        {
            families, seed, invalidRate, duplicateRate, output,
        };
        generate.SetAction((parse, cancellationToken) => RunAsync(
            new GenerationOptions(parse.GetValue(families), parse.GetValue(seed), InvalidRate: parse.GetValue(invalidRate), DuplicateRate: parse.GetValue(duplicateRate)),
            parse.GetValue(output),
            cancellationToken));
        return generate;
    }

    private static async Task<int> RunAsync(GenerationOptions options, FileInfo? output, CancellationToken cancellationToken)
    {
        if (output is null)
        {
            await using var standardOutput = Console.OpenStandardOutput();
            await EventGenerator.WriteNdjsonAsync(standardOutput, options, cancellationToken);
            return 0;
        }

        var temporary = output.FullName + ".partial";
        try
        {
            await using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.Asynchronous);
            await EventGenerator.WriteNdjsonAsync(file, options, cancellationToken);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        // Renamed into place only when complete, so an interrupted run never leaves a truncated file behind to replay.
        File.Move(temporary, output.FullName, overwrite: true);
        output.Refresh();
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {options.Families:N0} families' events ({output.Length:N0} bytes) to {output.FullName}."));
        return 0;
    }

    private static Option<double> Rate(string name, string description, double defaultValue)
    {
        var option = new Option<double>(name) { Description = description + " From 0 to 0.5.", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (>= 0 and <= 0.5))
            {
                result.AddError($"{name} must be from 0 to 0.5.");
            }
        });
        return option;
    }
}
