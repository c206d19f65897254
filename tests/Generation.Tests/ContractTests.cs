using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace YoungCarers.Generation.Tests;

/// <summary>Lines meant to be valid keep the SPEC's inbound contract (sections 2 and 3).</summary>
public partial class ContractTests
{
    private const int Families = 300;

    private static readonly DateTime WindowStart = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime WindowEnd = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    private static IEnumerable<GeneratedLine> ValidLines => Lines.ForFamilies(Families).Where(line => line.IntendedValid);

    [Fact]
    public void Every_valid_line_is_a_CloudEvents_envelope_of_a_catalogue_type()
    {
        Assert.All(ValidLines, line =>
        {
            using var document = JsonDocument.Parse(line.Json);
            var envelope = document.RootElement;
            Assert.Equal(JsonValueKind.Object, envelope.ValueKind);
            Assert.Equal("1.0", envelope.GetProperty("specversion").GetString());
            Assert.True(Guid.TryParseExact(envelope.GetProperty("id").GetString(), "D", out _));
            Assert.StartsWith("urn:la:barnet:", envelope.GetProperty("source").GetString(), StringComparison.Ordinal);
            Assert.Contains(envelope.GetProperty("type").GetString()!, Lines.CatalogueTypes);
            Assert.Equal(line.Type, envelope.GetProperty("type").GetString());
            Assert.Matches(Rfc3339Utc(), envelope.GetProperty("time").GetString()!);
            Assert.Equal("application/json", envelope.GetProperty("datacontenttype").GetString());
            Assert.Equal(JsonValueKind.Object, envelope.GetProperty("data").ValueKind);
            if (envelope.TryGetProperty("subject", out var subject))
            {
                Assert.Matches(PersonSubject(), subject.GetString()!);
            }
        });
    }

    [Fact]
    public void Sources_are_the_two_case_systems_and_partners()
    {
        var sources = ValidLines.Select(line => Envelope(line).GetProperty("source").GetString()!).ToHashSet();

        Assert.Contains("urn:la:barnet:adult-social-care:las", sources);
        Assert.Contains("urn:la:barnet:childrens-social-care:lcs", sources);
        Assert.Contains(sources, source => source.StartsWith("urn:la:barnet:partners:school-", StringComparison.Ordinal));
        Assert.Contains(sources, source => source.StartsWith("urn:la:barnet:partners:gp-", StringComparison.Ordinal));
        Assert.All(sources, source => Assert.Matches("^urn:la:barnet:(adult-social-care:las|childrens-social-care:lcs|partners:[a-z0-9-]+)$", source));
    }

    [Fact]
    public void Every_NHS_number_in_a_valid_line_passes_modulus_11()
    {
        var numbers = ValidLines
            .SelectMany(line => Lines.People(Envelope(line).GetProperty("data")))
            .Where(person => person.Person.TryGetProperty("nhsNumber", out _))
            .Select(person => person.Person.GetProperty("nhsNumber").GetString()!)
            .ToList();

        Assert.NotEmpty(numbers);
        Assert.All(numbers, number => Assert.True(Lines.IsValidNhsNumber(number), number));
    }

    [Fact]
    public void Every_person_in_a_childs_role_has_a_birth_date()
    {
        var children = ValidLines
            .SelectMany(line => Lines.People(Envelope(line).GetProperty("data")))
            .Where(person => Lines.ChildFields.Contains(person.Field))
            .ToList();

        Assert.NotEmpty(children);
        Assert.All(children, child => Assert.True(
            child.Person.TryGetProperty("birthDate", out var birthDate) && Lines.IsIsoDate(birthDate.GetString()!),
            child.Person.ToString()));
    }

    [Fact]
    public void Every_person_has_a_system_an_id_and_plausible_details()
    {
        var people = ValidLines.SelectMany(line => Lines.People(Envelope(line).GetProperty("data"))).Select(person => person.Person).ToList();

        Assert.All(people, person =>
        {
            Assert.False(string.IsNullOrWhiteSpace(person.GetProperty("system").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(person.GetProperty("id").GetString()));
            if (person.TryGetProperty("postcode", out var postcode))
            {
                Assert.Matches(UkPostcode(), postcode.GetString()!);
            }
        });
        Assert.Contains(people, person => !person.TryGetProperty("nhsNumber", out _));
    }

    [Fact]
    public void Every_catalogue_type_appears()
    {
        var types = ValidLines.Select(line => line.Type).ToHashSet();

        Assert.Equal(Lines.CatalogueTypes.Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_familys_events_are_in_time_order_within_the_window()
    {
        foreach (var family in Lines.FirstDeliveries(Lines.ForFamilies(Families)).GroupBy(line => line.FamilyKey))
        {
            var times = family.Select(line => DateTime.Parse(Envelope(line).GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).ToList();

            Assert.Equal(times.Order(), times);
            Assert.All(times, time => Assert.InRange(time, WindowStart, WindowEnd));
        }
    }

    [Fact]
    public void Families_interleave_in_the_stream()
    {
        var keys = Lines.FirstDeliveries(Lines.ForFamilies(Families)).Take(50).Select(line => line.FamilyKey).ToList();

        Assert.True(keys.Distinct().Count() > 10);
    }

    [Fact]
    public void Most_events_happen_on_working_days()
    {
        var days = Lines.FirstDeliveries(Lines.ForFamilies(Families)).Select(line => DateTime.Parse(Envelope(line).GetProperty("time").GetString()!, CultureInfo.InvariantCulture).DayOfWeek).ToList();
        var weekend = days.Count(day => day is DayOfWeek.Saturday or DayOfWeek.Sunday);

        Assert.InRange(weekend, 1, days.Count / 20);
    }

    [Fact]
    public void Each_source_uses_an_id_once()
    {
        var keys = Lines.FirstDeliveries(Lines.ForFamilies(Families)).Select(line => Envelope(line)).Select(e => (e.GetProperty("source").GetString(), e.GetProperty("id").GetString())).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void Payload_dates_are_not_after_the_event()
    {
        Assert.All(ValidLines, line =>
        {
            var envelope = Envelope(line);
            var eventDate = envelope.GetProperty("time").GetString()![..10];
            foreach (var property in envelope.GetProperty("data").EnumerateObject().Where(property => property.Name.EndsWith("On", StringComparison.Ordinal) && property.Name != "reviewDueOn"))
            {
                Assert.True(string.CompareOrdinal(property.Value.GetString(), eventDate) <= 0, line.Json);
            }
        });
    }

    private static JsonElement Envelope(GeneratedLine line) => JsonDocument.Parse(line.Json).RootElement;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex Rfc3339Utc();

    [GeneratedRegex("^person/(LAS|LCS)/[0-9]+$")]
    private static partial Regex PersonSubject();

    [GeneratedRegex("^[A-Z]{1,2}[0-9]{1,2} [0-9][A-Z]{2}$")]
    private static partial Regex UkPostcode();
}
