using System.Text.Json.Serialization;

namespace YoungCarers.Domain.Contract;

// Each member's JSON name is the SPEC's string; the parser reads the same attributes, so the two
// cannot drift apart.

/// <summary>Whether a child in the household provides care (<c>providesCare</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CareProvision>))]
public enum CareProvision
{
    [JsonStringEnumMemberName("yes")]
    Yes,

    [JsonStringEnumMemberName("no")]
    No,

    [JsonStringEnumMemberName("unknown")]
    Unknown,
}

/// <summary>What an adult needs assessment recorded about children in the household (<c>childrenInHousehold</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChildrenInHouseholdAnswer>))]
public enum ChildrenInHouseholdAnswer
{
    [JsonStringEnumMemberName("yes")]
    Yes,

    [JsonStringEnumMemberName("no")]
    No,

    /// <summary>The assessor did not ask or record it: the gap the memorandum is about.</summary>
    [JsonStringEnumMemberName("not-recorded")]
    NotRecorded,
}

/// <summary>Why adult social care referred a child to children's social care.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReferralToChildrensReason>))]
public enum ReferralToChildrensReason
{
    [JsonStringEnumMemberName("young-carer")]
    YoungCarer,

    [JsonStringEnumMemberName("safeguarding")]
    Safeguarding,

    [JsonStringEnumMemberName("other")]
    Other,
}

/// <summary>What children's social care decided on a referral.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChildrenReferralDecision>))]
public enum ChildrenReferralDecision
{
    [JsonStringEnumMemberName("no-further-action")]
    NoFurtherAction,

    [JsonStringEnumMemberName("early-help")]
    EarlyHelp,

    [JsonStringEnumMemberName("assessment")]
    Assessment,

    [JsonStringEnumMemberName("section-47")]
    Section47,

    [JsonStringEnumMemberName("signposted")]
    Signposted,
}

/// <summary>Why children's social care referred an adult to adult social care.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReferralToAdultsReason>))]
public enum ReferralToAdultsReason
{
    [JsonStringEnumMemberName("appearance-of-need")]
    AppearanceOfNeed,

    [JsonStringEnumMemberName("transition")]
    Transition,

    [JsonStringEnumMemberName("other")]
    Other,
}

/// <summary>Which kind of partner identified a young carer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<YoungCarerIdentifiedBy>))]
public enum YoungCarerIdentifiedBy
{
    [JsonStringEnumMemberName("school")]
    School,

    [JsonStringEnumMemberName("gp")]
    Gp,

    [JsonStringEnumMemberName("health")]
    Health,

    [JsonStringEnumMemberName("young-carers-service")]
    YoungCarersService,

    [JsonStringEnumMemberName("other")]
    Other,
}
