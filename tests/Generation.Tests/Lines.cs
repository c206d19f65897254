using System.Globalization;
using System.Text.Json;

namespace YoungCarers.Generation.Tests;

/// <summary>What the tests know independently of the generator: the SPEC's catalogue and checks, and ways to read lines.</summary>
internal static class Lines
{
    /// <summary>The SPEC's catalogue, version 1 (section 2), copied here so the generator is checked against the SPEC, not itself.</summary>
    public static readonly IReadOnlySet<string> CatalogueTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "adult.referral.received.v1",
        "adult.needs-assessment.started.v1",
        "adult.needs-assessment.completed.v1",
        "adult.carers-assessment.completed.v1",
        "adult.transition-assessment.offered.v1",
        "adult.transition-assessment.completed.v1",
        "adult.care-plan.agreed.v1",
        "adult.care-plan.reviewed.v1",
        "adult.care-plan.ended.v1",
        "adult.referral-to-childrens.sent.v1",
        "adult.safeguarding-enquiry.started.v1",
        "adult.safeguarding-enquiry.concluded.v1",
        "adult.case.closed.v1",
        "children.referral.received.v1",
        "children.referral.decided.v1",
        "children.young-carer-assessment.started.v1",
        "children.young-carer-assessment.completed.v1",
        "children.cin-assessment.started.v1",
        "children.cin-assessment.completed.v1",
        "children.cin-plan.started.v1",
        "children.cin-plan.ended.v1",
        "children.section-47.started.v1",
        "children.referral-to-adults.sent.v1",
        "children.case.closed.v1",
        "partner.young-carer.identified.v1",
    };

    /// <summary>The data fields that hold a person in a child's role, whose birthDate the SPEC requires.</summary>
    public static readonly IReadOnlySet<string> ChildFields = new HashSet<string>(StringComparer.Ordinal) { "child", "youngCarer", "childCarers" };

    private static readonly Dictionary<int, List<GeneratedLine>> Cache = [];

    /// <summary>The lines for that many families with default options, generated once per test run.</summary>
    public static IReadOnlyList<GeneratedLine> ForFamilies(int families)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(families, out var lines))
            {
                lines = [.. EventGenerator.Generate(new GenerationOptions(families))];
                Cache[families] = lines;
            }

            return lines;
        }
    }

    /// <summary>The events the service should accept: valid, and not redeliveries.</summary>
    public static IEnumerable<GeneratedLine> FirstDeliveries(IEnumerable<GeneratedLine> lines) =>
        lines.Where(line => line.IntendedValid && !line.IsDuplicate);

    public static async Task<byte[]> NdjsonAsync(GenerationOptions options)
    {
        using var stream = new MemoryStream();
        await EventGenerator.WriteNdjsonAsync(stream, options);
        return stream.ToArray();
    }

    /// <summary>Modulus 11 as the NHS defines it: weights 10 to 2 over the first nine digits; 11 means 0, 10 is never issued.</summary>
    public static bool IsValidNhsNumber(string number)
    {
        if (number.Length != 10 || !number.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (number[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check != 10 && (check == 11 ? 0 : check) == number[9] - '0';
    }

    public static bool IsIsoDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>Every person object in the event's data, with the name of the field that holds it.</summary>
    public static IEnumerable<(string Field, JsonElement Person)> People(JsonElement data)
    {
        foreach (var property in data.EnumerateObject())
        {
            foreach (var person in PeopleIn(property.Name, property.Value))
            {
                yield return person;
            }
        }
    }

    private static IEnumerable<(string Field, JsonElement Person)> PeopleIn(string field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                foreach (var person in PeopleIn(field, item))
                {
                    yield return person;
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("system", out _))
        {
            yield return (field, value);
        }
        else if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("child", out var child))
        {
            // A ChildInHousehold: the child inside it is in a child's role.
            yield return ("child", child);
        }
    }
}
