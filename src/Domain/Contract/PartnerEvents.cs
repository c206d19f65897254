namespace YoungCarers.Domain.Contract;

/// <summary>A partner (school, GP, health, the young carers' service) identified a young carer.</summary>
/// <param name="CaredFor">Empty when the partner named nobody the child cares for.</param>
public sealed record PartnerYoungCarerIdentified(
    PersonRef Child,
    IReadOnlyList<PersonRef> CaredFor,
    DateOnly IdentifiedOn,
    YoungCarerIdentifiedBy IdentifiedBy) : IInboundEvent
{
    public const string TypeName = "partner.young-carer.identified.v1";

    public IReadOnlyList<PersonRef> CaredFor { get; init => field = ValueList.Of(value); } = ValueList.Of(CaredFor);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child, .. CaredFor];
}
