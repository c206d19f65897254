using System.Globalization;

namespace YoungCarers.Generation;

/// <summary>What to break in a line, chosen before it is written.</summary>
/// <param name="Target">The payload field to leave out or corrupt, by index; for a missing envelope attribute, one of the <c>Envelope*</c> values.</param>
/// <param name="Variant">The NHS check digit's shift (1 to 9), or where to cut a truncated line (per mille of its length).</param>
/// <param name="Text">The unknown type, the impossible date or the bad enum value to write.</param>
internal readonly record struct Defect(LineDefect Kind, int Target = 0, int Variant = 0, string? Text = null)
{
    public const int EnvelopeId = -1;
    public const int EnvelopeSource = -2;
    public const int EnvelopeTime = -3;

    public static Defect None { get; } = new(LineDefect.None);
}

/// <summary>Chooses a defect that the event can carry, from the SPEC's list of ways inbound events fail.</summary>
internal static class Defects
{
    private static readonly LineDefect[] Kinds =
    [
        LineDefect.BadNhsNumber,
        LineDefect.MissingRequiredField,
        LineDefect.UnknownType,
        LineDefect.TruncatedJson,
        LineDefect.ImpossibleDate,
        LineDefect.BadEnumValue,
    ];

    private static readonly int[] EnvelopeAttributes = [Defect.EnvelopeId, Defect.EnvelopeSource, Defect.EnvelopeTime];

    /// <summary>Types nobody defined, of the kinds an upstream system might send by mistake.</summary>
    private static readonly string[] UndefinedTypes =
    [
        "children.placement.started.v1", "adult.direct-payment.agreed.v1", "partner.young-carer.referred.v1", "adult.hospital-discharge.notified.v1",
    ];

    private static readonly (string Correct, string Typo)[] Typos =
    [
        ("referral", "referal"), ("assessment", "assesment"), ("safeguarding", "safegaurding"), ("children", "childrens"),
    ];

    /// <summary>One of the kinds the event can carry (some name nobody with an NHS number, some have no enum), equally likely.</summary>
    public static Defect Choose(SyntheticEvent e, Rng rng)
    {
        var fitting = new List<Defect>(Kinds.Length);
        foreach (var kind in Kinds)
        {
            if (Make(kind, e.Payload, rng) is { } defect)
            {
                fitting.Add(defect);
            }
        }

        return fitting[rng.Next(fitting.Count)];
    }

    private static Defect? Make(LineDefect kind, Payload payload, Rng rng) => kind switch
    {
        LineDefect.BadNhsNumber when HasNhsNumber(payload) => new Defect(kind, Variant: rng.Between(1, 9)),
        LineDefect.MissingRequiredField => new Defect(kind, Target: MissingTarget(payload, rng)),
        LineDefect.UnknownType => new Defect(kind, Text: UnknownType(payload.Type, rng)),
        LineDefect.TruncatedJson => new Defect(kind, Variant: rng.Between(150, 950)),
        LineDefect.ImpossibleDate when IndexOf<DateValue>(payload) is { } date =>
            new Defect(kind, Target: date, Text: ImpossibleDate(((DateValue)payload.Fields[date].Value).Date.Year, rng)),
        LineDefect.BadEnumValue when IndexOf<EnumValue>(payload) is { } value =>
            new Defect(kind, Target: value, Text: BadEnumValue(((EnumValue)payload.Fields[value].Value).Text)),
        _ => null,
    };

    private static bool HasNhsNumber(Payload payload) => payload.Fields.Any(field => field.Value switch
    {
        PersonValue person => person.Person.NhsNumber is not null,
        PeopleValue people => people.People.Any(person => person.NhsNumber is not null),
        HouseholdValue household => household.Children.Any(child => child.Child.NhsNumber is not null),
        _ => false,
    });

    private static int MissingTarget(Payload payload, Rng rng)
    {
        if (rng.Chance(0.4))
        {
            return rng.Pick(EnvelopeAttributes);
        }

        var required = payload.Fields.Select((field, index) => (field, index)).Where(pair => !pair.field.Optional).ToList();
        return required[rng.Next(required.Count)].index;
    }

    private static int? IndexOf<TValue>(Payload payload)
        where TValue : FieldValue
    {
        var index = Array.FindIndex(payload.Fields, field => field.Value is TValue);
        return index < 0 ? null : index;
    }

    private static string UnknownType(string type, Rng rng)
    {
        var roll = rng.Next(3);
        if (roll == 1)
        {
            foreach (var (correct, typo) in Typos)
            {
                if (type.Contains(correct, StringComparison.Ordinal))
                {
                    return type.Replace(correct, typo, StringComparison.Ordinal);
                }
            }
        }

        // A version nobody publishes (v2 of one type exists, so v3).
        return roll == 2 ? rng.Pick(UndefinedTypes) : string.Concat(type.AsSpan(0, type.Length - 2), "v3");
    }

    private static string ImpossibleDate(int year, Rng rng)
    {
        var leap = DateTime.IsLeapYear(year);
        var monthDay = rng.Next(4) switch
        {
            0 when !leap => "02-29",
            0 or 1 => "02-30",
            2 => "04-31",
            _ => rng.Chance(0.5) ? "09-31" : "13-01",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{monthDay}");
    }

    /// <summary>The value as a person might type it: capitalised, spaced, or one past the end of a code list.</summary>
    private static string BadEnumValue(string value) =>
        value.StartsWith("RC", StringComparison.Ordinal)
            ? "RC10"
            : string.Concat(value[..1].ToUpperInvariant(), value[1..].Replace('-', ' '));
}
