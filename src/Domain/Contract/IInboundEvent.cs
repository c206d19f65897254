namespace YoungCarers.Domain.Contract;

/// <summary>
/// An event from an upstream case system or partner, in the current version of its type. Each
/// implementation carries its SPEC type name as a <c>TypeName</c> constant; the catalogue maps
/// between the two, so a CLR rename never changes what is stored.
/// </summary>
public interface IInboundEvent
{
    /// <summary>
    /// Every person the event mentions, in payload order. Persons mentioned together belong to one
    /// family, so the identity resolver joins them.
    /// </summary>
    IReadOnlyList<PersonRef> People { get; }
}
