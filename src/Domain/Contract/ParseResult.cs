namespace YoungCarers.Domain.Contract;

/// <summary>The outcome of parsing one inbound event: <see cref="ParsedEvent"/> or <see cref="RejectedEvent"/>.</summary>
public abstract record ParseResult
{
    private protected ParseResult()
    {
    }
}

/// <summary>A valid event, in the current version of its type.</summary>
/// <param name="StoredType">The catalogue type name to store it under (the current version, even when a later one was published).</param>
/// <param name="DataJson">The event's canonical JSON: what gets stored.</param>
public sealed record ParsedEvent(CloudEventEnvelope Envelope, IInboundEvent Event, string StoredType, string DataJson) : ParseResult;

/// <summary>An event that failed validation, to be quarantined with every reason found.</summary>
/// <param name="Source">The envelope's source, if it could be read.</param>
/// <param name="Id">The envelope's id, if it could be read.</param>
/// <param name="Type">The envelope's type, if it could be read.</param>
public sealed record RejectedEvent(string? Source, string? Id, string? Type, IReadOnlyList<ValidationError> Errors) : ParseResult
{
    public IReadOnlyList<ValidationError> Errors { get; init => field = ValueList.Of(value); } = ValueList.Of(Errors);
}

/// <summary>One reason an event was rejected.</summary>
/// <param name="Field">Where: a path such as <c>data.children[2].child.nhsNumber</c>, or <c>$</c> for the whole event.</param>
/// <param name="Rule">A stable code from <see cref="ValidationRules"/>.</param>
/// <param name="Message">For people; never repeats personal data from the event.</param>
public sealed record ValidationError(string Field, string Rule, string Message);
