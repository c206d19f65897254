using System.Reflection;
using System.Text.Json.Serialization;
using YoungCarers.Domain.Families;

namespace YoungCarers.Api.Disputes;

/// <summary>
/// The names a request gives a <see cref="DisputeSubject"/>: its JSON names, as stored and as reads
/// show them, so the endpoint, its problem and the OpenAPI document list the same values.
/// </summary>
internal static class DisputeSubjects
{
    private static readonly (string Name, DisputeSubject Subject)[] All =
        [.. Enum.GetValues<DisputeSubject>().Select(subject => (typeof(DisputeSubject).GetField(subject.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name, subject))];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(entry => entry.Name)];

    /// <summary>The subject named exactly (case included), else null.</summary>
    public static DisputeSubject? Parse(string? name) => All.Where(entry => entry.Name == name).Select(entry => (DisputeSubject?)entry.Subject).FirstOrDefault();
}
