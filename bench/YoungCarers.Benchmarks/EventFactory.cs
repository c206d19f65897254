using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Benchmarks;

/// <summary>An event to write and the family stream it belongs to.</summary>
internal sealed record GeneratedEvent(int StreamIndex, string StreamId, NewEvent Event);

/// <summary>
/// Makes realistic-looking social care events (CloudEvents envelopes of about 500 bytes) from a
/// seeded random sequence: the same seed and the same calls give the same events. Not thread-safe.
/// </summary>
internal sealed class EventFactory(int seed, int streamCount)
{
    public const int PayloadLength = 500;

    private const string Notes =
        "Home visit completed with the young carer and parent present. The young carer helps with medication, " +
        "shopping and getting a younger sibling to school; reports tiredness and missed homework. Discussed respite, " +
        "a carers assessment for the parent and a referral to the young carers group. School pastoral lead informed " +
        "with consent. Next review agreed in six weeks; family know how to contact the duty team in the meantime.";

    private static readonly DateTimeOffset YearStart = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Source, string Type, string CasePrefix, string Team)[] Kinds =
    [
        ("urn:yc:adult-social-care", "adult.referral.received.v1", "ASC", "Adult Front Door"),
        ("urn:yc:adult-social-care", "adult.assessment.completed.v1", "ASC", "Locality Team East"),
        ("urn:yc:adult-social-care", "adult.care-plan.reviewed.v1", "ASC", "Reablement"),
        ("urn:yc:childrens-services", "children.referral.received.v1", "CSC", "MASH"),
        ("urn:yc:childrens-services", "children.assessment.started.v1", "CSC", "Early Help North"),
        ("urn:yc:childrens-services", "children.young-carer.identified.v1", "CSC", "Young Carers Service"),
    ];

    private static readonly string[] GivenNames =
        ["Amira", "Oliver", "Chloe", "Mohammed", "Grace", "Jakub", "Priya", "Ethan", "Zainab", "Harry", "Maya", "Kwame"];

    private static readonly string[] FamilyNames =
        ["Okafor", "Smith", "Nowak", "Patel", "Jones", "Ahmed", "Williams", "Kowalski", "Brown", "Hussain", "Taylor", "Mensah"];

    private static readonly string[] Postcodes =
        ["LS6 2AB", "M14 5RT", "B12 9QL", "NE4 7XJ", "BS5 6HY", "SE15 3PN", "L8 1TU", "NG7 4DE", "CF24 2LS", "G42 8QR"];

    private readonly Random _random = new(seed);
    private readonly StringBuilder _json = new(PayloadLength * 2);

    /// <summary>The id of a family stream: stable for an index, random-looking like a real one.</summary>
    public static string StreamId(int index) => $"family-{Mix((ulong)index):x16}";

    /// <param name="number">Unique per event across the run: it makes the source event id unique.</param>
    public GeneratedEvent Create(long number)
    {
        var streamIndex = _random.Next(streamCount);
        var streamId = StreamId(streamIndex);
        var kind = Kinds[_random.Next(Kinds.Length)];
        var id = UniqueId(number);
        var occurredAt = YearStart.AddSeconds(_random.Next(366 * 24 * 3600));
        var dateOfBirth = new DateOnly(2006, 1, 1).AddDays(_random.Next(12 * 365));

        _json.Clear().Append(CultureInfo.InvariantCulture, $$"""
            {"specversion":"1.0","id":"{{id}}","source":"{{kind.Source}}","type":"{{kind.Type}}","subject":"{{streamId}}","time":"{{occurredAt:yyyy-MM-ddTHH:mm:ssZ}}","data":{"caseReference":"{{kind.CasePrefix}}-{{_random.Next(10_000_000):D7}}","personId":"{{RandomGuid()}}","person":{"givenName":"{{GivenNames[_random.Next(GivenNames.Length)]}}","familyName":"{{FamilyNames[_random.Next(FamilyNames.Length)]}}","dateOfBirth":"{{dateOfBirth:yyyy-MM-dd}}","postcode":"{{Postcodes[_random.Next(Postcodes.Length)]}}"},"team":"{{kind.Team}}","recordedBy":"worker-{{_random.Next(1000):D4}}","notes":"
            """);
        // Pad with case notes up to the target size; the closing quote and two braces end it.
        var padding = Math.Clamp(PayloadLength - _json.Length - 3, 0, Notes.Length);
        _json.Append(Notes, 0, padding).Append("\"}}");

        var metadata = new EventMetadata(CorrelationId: RandomGuid().ToString());
        return new GeneratedEvent(
            streamIndex,
            streamId,
            new NewEvent(kind.Type, _json.ToString(), occurredAt, kind.Source, id.ToString(), metadata));
    }

    /// <summary>
    /// A version 4 style GUID whose last six bytes are a scrambling of <paramref name="number"/>
    /// (below 2^48) that maps distinct numbers to distinct bytes, so it cannot repeat.
    /// </summary>
    private Guid UniqueId(long number)
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        SetVersion4(bytes);
        const ulong Mask48 = (1UL << 48) - 1;
        var scrambled = ((ulong)number * 0x9E37_79B9_7F4B) & Mask48; // odd multiplier: a bijection mod 2^48
        scrambled ^= scrambled >> 24;
        Span<byte> numberBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(numberBytes, scrambled);
        numberBytes[2..].CopyTo(bytes[10..]);
        return new Guid(bytes, bigEndian: true);
    }

    private Guid RandomGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        SetVersion4(bytes);
        return new Guid(bytes, bigEndian: true);
    }

    private static void SetVersion4(Span<byte> bytes)
    {
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
    }

    // SplitMix64's finaliser: a bijection, so distinct indexes give distinct stream ids.
    private static ulong Mix(ulong value)
    {
        value += 0x9E37_79B9_7F4A_7C15;
        value = (value ^ (value >> 30)) * 0xBF58_476D_1CE4_E5B9;
        value = (value ^ (value >> 27)) * 0x94D0_49BB_1331_11EB;
        return value ^ (value >> 31);
    }
}
