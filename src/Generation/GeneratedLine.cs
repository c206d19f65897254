namespace YoungCarers.Generation;

/// <summary>One NDJSON line: a CloudEvents envelope, and what the generator meant by it.</summary>
/// <param name="Json">The line's text, without the newline.</param>
/// <param name="IntendedValid">False for a line with a <see cref="Defect"/>; the service should quarantine it.</param>
/// <param name="FamilyKey">The synthetic family the event belongs to, e.g. <c>family-000042</c>; never in the JSON.</param>
/// <param name="Type">The <c>type</c> the line carries (for a truncated line, the one it would have carried).</param>
/// <param name="Defect">What is wrong with the line, if anything.</param>
/// <param name="IsDuplicate">A redelivery of the line before it: same envelope, same id; the service should ignore it.</param>
public sealed record GeneratedLine(
    string Json,
    bool IntendedValid,
    string FamilyKey,
    string Type,
    LineDefect Defect,
    bool IsDuplicate);

/// <summary>The ways a generated line is deliberately invalid.</summary>
public enum LineDefect
{
    None,

    /// <summary>An NHS number whose modulus-11 check digit is wrong.</summary>
    BadNhsNumber,

    /// <summary>A required envelope attribute (id, source, time) or payload field is left out.</summary>
    MissingRequiredField,

    /// <summary>A <c>type</c> that is not in the catalogue: a version that does not exist, a typo, or a type nobody defined.</summary>
    UnknownType,

    /// <summary>The line is cut short, so it is not JSON at all.</summary>
    TruncatedJson,

    /// <summary>A well-formed date that is not on the calendar, e.g. 2025-02-30.</summary>
    ImpossibleDate,

    /// <summary>A value outside the SPEC's closed list, e.g. "Yes" for "yes" or "RC10".</summary>
    BadEnumValue,
}
