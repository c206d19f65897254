using System.Text;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Testing;

/// <summary>Valid CloudEvents as upstream systems publish them, built for ingest tests.</summary>
public static class Envelopes
{
    public const string AdultSource = "urn:la:test:adult-social-care:las";
    public const string PartnerSource = "urn:la:test:partner:school";
    public static readonly DateTimeOffset Now = new(2025, 3, 5, 9, 0, 0, TimeSpan.Zero);

    public static string Adult(string id, string? nhs = null) =>
        $$"""{ "system": "LAS", "id": "{{id}}"{{(nhs is null ? "" : $", \"nhsNumber\": \"{nhs}\"")}}, "givenName": "Dawn", "familyName": "Hughes" }""";

    public static string Child(string id, string? nhs = null, string system = "LCS", string given = "Maya") =>
        $$"""{ "system": "{{system}}", "id": "{{id}}"{{(nhs is null ? "" : $", \"nhsNumber\": \"{nhs}\"")}}, "givenName": "{{given}}", "familyName": "Hughes", "birthDate": "2011-05-06" }""";

    /// <summary>A school identifies a young carer and the adults they care for.</summary>
    public static string Identified(string eventId, string child, params string[] caredFor) => Envelope(
        eventId, PartnerSource, "partner.young-carer.identified.v1",
        $$"""{ "child": {{child}}, "caredFor": [{{string.Join(", ", caredFor)}}], "identifiedOn": "2025-03-03", "identifiedBy": "school" }""");

    /// <summary>An adult referral listing the children in the household.</summary>
    public static string Referral(string eventId, string adult, params string[] children) => Envelope(
        eventId, AdultSource, "adult.referral.received.v1",
        $$"""{ "referralId": "AR-{{eventId}}", "person": {{adult}}, "receivedOn": "2025-03-03", "householdChildren": [{{string.Join(", ", children.Select(c => $$"""{ "child": {{c}}, "providesCare": "yes" }"""))}}] }""");

    public static string Envelope(string id, string source, string type, string data) =>
        $$"""{ "specversion": "1.0", "id": "{{id}}", "source": "{{source}}", "type": "{{type}}", "time": "2025-03-04T10:15:00Z", "datacontenttype": "application/json", "data": {{data}} }""";

    public static InboundPayload Payload(string json) => new(Encoding.UTF8.GetBytes(json), Arrival.Http("test"));

    /// <summary>A valid NHS number built from nine digits (modulus 11), for tests that need many.</summary>
    public static string NhsNumber(int seed)
    {
        for (var n = seed; ; n++)
        {
            var digits = (100_000_000 + (n % 800_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var sum = digits.Select((d, i) => (d - '0') * (10 - i)).Sum();
            var check = 11 - (sum % 11);
            if (check == 10)
            {
                continue;
            }

            return digits + (check == 11 ? 0 : check);
        }
    }
}
