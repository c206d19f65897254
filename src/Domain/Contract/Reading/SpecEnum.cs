using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>
/// Reads an enum from its SPEC string. The strings come from the members'
/// <see cref="JsonStringEnumMemberNameAttribute"/>s, read once per enum, the same ones the stored
/// serialiser writes, so parsing and storing cannot disagree.
/// </summary>
internal static class SpecEnum<TEnum>
    where TEnum : struct, Enum
{
    private static readonly (TEnum Value, byte[] Utf8Name)[] Members =
    [
        .. typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => (
            (TEnum)field.GetValue(null)!,
            Encoding.UTF8.GetBytes(field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{field.Name} has no SPEC string."))))
    ];

    /// <summary>The allowed strings, quoted, for error messages.</summary>
    public static string Allowed { get; } = string.Join(", ", Members.Select(member => $"\"{Encoding.UTF8.GetString(member.Utf8Name)}\""));

    /// <summary>Matches the string the reader is on (the caller has checked the kind) against the SPEC strings, exactly.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out TEnum result)
    {
        foreach (var (member, utf8Name) in Members)
        {
            if (reader.ValueTextEquals(utf8Name))
            {
                result = member;
                return true;
            }
        }

        result = default;
        return false;
    }

    /// <summary>Matches a JSON string (the caller has checked the kind) against the SPEC strings, exactly.</summary>
    public static bool TryRead(JsonElement value, out TEnum result)
    {
        foreach (var (member, utf8Name) in Members)
        {
            if (value.ValueEquals(utf8Name))
            {
                result = member;
                return true;
            }
        }

        result = default;
        return false;
    }
}
