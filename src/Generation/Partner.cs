namespace YoungCarers.Generation;

/// <summary>The CloudEvents sources of the council's two case systems.</summary>
internal static class Sources
{
    public const string AdultSocialCare = "urn:la:barnet:adult-social-care:las";

    public const string ChildrensSocialCare = "urn:la:barnet:childrens-social-care:lcs";
}

internal enum PartnerKind
{
    School,
    Gp,
    Health,
    YoungCarersService,
    Other,
}

/// <summary>An organisation outside the council's two case systems that can identify a young carer.</summary>
/// <param name="Source">The CloudEvents source, e.g. <c>urn:la:barnet:partners:school-northgate-primary</c>.</param>
/// <param name="PersonSystem">The <c>system</c> of the PersonRefs it sends: its own records, with its own ids.</param>
/// <param name="IdentifiedBy">The SPEC's identifiedBy value.</param>
/// <param name="ReferralSource">The CIN census referral source code when it refers to children's social care.</param>
internal sealed record Partner(PartnerKind Kind, string Source, string PersonSystem, string IdentifiedBy, string ReferralSource)
{
    private const string PartnerPrefix = "urn:la:barnet:partners:";

    private static readonly Weighted<PartnerKind> Kinds = new(
        (PartnerKind.School, 40), (PartnerKind.Gp, 18), (PartnerKind.Health, 15), (PartnerKind.YoungCarersService, 22), (PartnerKind.Other, 5));

    /// <summary>A partner; the kind is weighted by how often each identifies young carers.</summary>
    public static Partner Pick(Rng rng) => Of(Kinds.Pick(rng), rng);

    private static Partner Of(PartnerKind kind, Rng rng) => kind switch
    {
        PartnerKind.School => new(kind, PartnerPrefix + "school-" + rng.Pick(Vocabulary.Schools), "EDU", "school", "2A"),
        PartnerKind.Gp => new(kind, PartnerPrefix + "gp-" + rng.Pick(Vocabulary.GpPractices), "GP", "gp", "3A"),
        PartnerKind.Health => new(kind, PartnerPrefix + "health-" + rng.Pick(Vocabulary.HealthServices), "HEALTH", "health", "3F"),
        PartnerKind.YoungCarersService => new(kind, PartnerPrefix + "young-carers-service", "YCS", "young-carers-service", "8"),
        _ => OtherPartner(rng.Pick(Vocabulary.OtherPartners)),
    };

    private static Partner OtherPartner(string name) =>
        new(PartnerKind.Other, PartnerPrefix + name, "OTHER", "other", name.StartsWith("police", StringComparison.Ordinal) ? "6" : "4");
}
