using System.Text.Json.Serialization;

namespace YoungCarers.Domain.Contract;

/// <summary>
/// The stored form of every current event type, generated at compile time: camelCase SPEC field
/// names, enums as SPEC strings, dates as yyyy-mm-dd, nulls written out. The service writes with it
/// and reads with <see cref="Stored.StoredEventReaders"/>; its reading options are as strict (every
/// field present, no extra ones, no null where the model has none), so that a stored event that no
/// longer matches its type fails loudly instead of loading half-empty, and the tests read with both.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(StoredPersonRefConverter)])]
[JsonSerializable(typeof(AdultReferralReceived))]
[JsonSerializable(typeof(AdultNeedsAssessmentStarted))]
[JsonSerializable(typeof(AdultNeedsAssessmentCompleted))]
[JsonSerializable(typeof(AdultCarersAssessmentCompleted))]
[JsonSerializable(typeof(AdultTransitionAssessmentOffered))]
[JsonSerializable(typeof(AdultTransitionAssessmentCompleted))]
[JsonSerializable(typeof(AdultCarePlanAgreed))]
[JsonSerializable(typeof(AdultCarePlanReviewed))]
[JsonSerializable(typeof(AdultCarePlanEnded))]
[JsonSerializable(typeof(AdultReferralToChildrensSent))]
[JsonSerializable(typeof(AdultSafeguardingEnquiryStarted))]
[JsonSerializable(typeof(AdultSafeguardingEnquiryConcluded))]
[JsonSerializable(typeof(AdultCaseClosed))]
[JsonSerializable(typeof(ChildrenReferralReceived))]
[JsonSerializable(typeof(ChildrenReferralDecided))]
[JsonSerializable(typeof(ChildrenYoungCarerAssessmentStarted))]
[JsonSerializable(typeof(ChildrenYoungCarerAssessmentCompleted))]
[JsonSerializable(typeof(ChildrenCinAssessmentStarted))]
[JsonSerializable(typeof(ChildrenCinAssessmentCompleted))]
[JsonSerializable(typeof(ChildrenCinPlanStarted))]
[JsonSerializable(typeof(ChildrenCinPlanEnded))]
[JsonSerializable(typeof(ChildrenSection47Started))]
[JsonSerializable(typeof(ChildrenReferralToAdultsSent))]
[JsonSerializable(typeof(ChildrenCaseClosed))]
[JsonSerializable(typeof(PartnerYoungCarerIdentified))]
internal sealed partial class StoredEventJsonContext : JsonSerializerContext;
