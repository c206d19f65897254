using System.Runtime.CompilerServices;
using System.Text.Json;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>
/// Reads the fields of one JSON object by name. Every read registers the name, so that
/// <see cref="RejectUnknownFields"/> can report fields nobody asked for. A field that is missing
/// or invalid is reported and read as a placeholder: the event is rejected anyway, and reading on
/// finds the rest of its errors.
/// </summary>
internal ref struct FieldReader
{
    private readonly Validation _validation;
    private readonly JsonElement _object;
    private readonly bool _isObject;
    private FieldNames _requested;
    private int _requestedCount;
    private int _found;

    /// <param name="path">The object's own path; empty for the envelope.</param>
    public FieldReader(Validation validation, JsonElement value, string path)
    {
        _validation = validation;
        _object = value;
        Path = path;
        _isObject = value.ValueKind == JsonValueKind.Object;
        if (!_isObject)
        {
            validation.Add(path.Length == 0 ? FieldPath.Root : path, ValidationRules.WrongType, $"Must be a JSON object (got {Validation.Describe(value.ValueKind)}).");
        }
    }

    public string Path { get; }

    public readonly FieldPath At(string name) => new(Path, name);

    /// <summary>Finds a field; a JSON null counts as absent.</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        _requested[_requestedCount++] = name;
        if (_isObject && _object.TryGetProperty(name, out value))
        {
            _found++;
            return value.ValueKind != JsonValueKind.Null;
        }

        value = default;
        return false;
    }

    /// <summary>Finds a field, reporting it as required when it is absent.</summary>
    public bool TryGetRequired(string name, out JsonElement value)
    {
        if (TryGet(name, out value))
        {
            return true;
        }

        // Inside something that is not an object, the wrong type was reported already.
        if (_isObject)
        {
            _validation.Add(At(name), ValidationRules.Required, "Required.");
        }

        return false;
    }

    /// <summary>A required, non-blank string of at most <paramref name="maxLength"/> characters; empty when invalid.</summary>
    public string String(string name, int maxLength) =>
        (TryGetRequired(name, out var value) ? _validation.String(value, At(name), maxLength) : null) ?? "";

    public string? OptionalString(string name, int maxLength) =>
        TryGet(name, out var value) ? _validation.String(value, At(name), maxLength) : null;

    public string Id(string name) => String(name, InboundLimits.MaxIdLength);

    public string? OptionalId(string name) => OptionalString(name, InboundLimits.MaxIdLength);

    public string Code(string name) => String(name, InboundLimits.MaxIdLength);

    /// <summary>A code from a closed list, such as the CIN census closure reasons.</summary>
    public string CodeFrom(string name, IReadOnlyCollection<string> allowed)
    {
        var code = Code(name);
        if (code.Length > 0 && !allowed.Contains(code))
        {
            _validation.Add(At(name), ValidationRules.InvalidEnum, $"Must be one of {string.Join(", ", allowed)}, exactly.");
        }

        return code;
    }

    public string Name(string name) => String(name, InboundLimits.MaxNameLength);

    public string? OptionalName(string name) => OptionalString(name, InboundLimits.MaxNameLength);

    public string Text(string name) => String(name, InboundLimits.MaxTextLength);

    public string? OptionalText(string name) => OptionalString(name, InboundLimits.MaxTextLength);

    public string? OptionalNhsNumber(string name) => TryGet(name, out var value) ? _validation.NhsNumber(value, At(name)) : null;

    public string? OptionalPostcode(string name) => TryGet(name, out var value) ? _validation.Postcode(value, At(name)) : null;

    public bool Bool(string name) => TryGetRequired(name, out var value) && (_validation.Bool(value, At(name)) ?? false);

    public TEnum Enum<TEnum>(string name)
        where TEnum : struct, Enum =>
        TryGetRequired(name, out var value) ? _validation.Enum<TEnum>(value, At(name)) ?? default : default;

    public TEnum? OptionalEnum<TEnum>(string name)
        where TEnum : struct, Enum =>
        TryGet(name, out var value) ? _validation.Enum<TEnum>(value, At(name)) : null;

    public decimal? OptionalNumber(string name, decimal min, decimal max) =>
        TryGet(name, out var value) ? _validation.Number(value, At(name), min, max) : null;

    /// <summary>The date something happened: required, and not in the future.</summary>
    public DateOnly Date(string name) =>
        TryGetRequired(name, out var value) ? _validation.Date(value, At(name), DateKind.Past) ?? default : default;

    public DateTimeOffset? Timestamp(string name) =>
        TryGetRequired(name, out var value) ? _validation.Timestamp(value, At(name)) : null;

    public DateOnly? OptionalDate(string name, DateKind kind) =>
        TryGet(name, out var value) ? _validation.Date(value, At(name), kind) : null;

    public DateOnly? BirthDate(string name, bool required)
    {
        if (TryGet(name, out var value))
        {
            return _validation.Date(value, At(name), DateKind.Past);
        }

        if (required && _isObject)
        {
            _validation.Add(At(name), ValidationRules.Required, "Required for a child: ages drive the transition rules.");
        }

        return null;
    }

    public PersonRef Person(string name, ValueReader<PersonRef> read) => Object(name, read, SharedPayloads.MissingPerson);

    /// <summary>A required value that <paramref name="read"/> reads; <paramref name="placeholder"/> when it is missing.</summary>
    public T Object<T>(string name, ValueReader<T> read, T placeholder) =>
        TryGetRequired(name, out var value) ? read(_validation, value, At(name)) : placeholder;

    public T? OptionalObject<T>(string name, ValueReader<T> read)
        where T : class =>
        TryGet(name, out var value) ? read(_validation, value, At(name)) : null;

    /// <summary>An array; an optional one that is left out reads as empty.</summary>
    public IReadOnlyList<T> List<T>(string name, ValueReader<T> readItem, bool required = true, int minItems = 0)
    {
        var found = required ? TryGetRequired(name, out var value) : TryGet(name, out value);
        return (found ? _validation.List(value, At(name), readItem, minItems) : null) ?? [];
    }

    /// <summary>An array of short strings (caring tasks, impacts, reasons, factors).</summary>
    public IReadOnlyList<string> Strings(string name, bool required = true, int minItems = 0) =>
        List(name, ListItem, required, minItems);

    /// <summary>Reports every field of the object that no read asked for, and any field given twice.</summary>
    public readonly void RejectUnknownFields() => CheckFieldNames(allowExtensionAttributes: false);

    /// <summary>
    /// As <see cref="RejectUnknownFields"/>, but allows CloudEvents extension attributes: names of
    /// lower-case letters and digits with scalar values.
    /// </summary>
    public readonly void RejectUnknownFieldsExceptExtensionAttributes() => CheckFieldNames(allowExtensionAttributes: true);

    private static string ListItem(Validation validation, JsonElement value, FieldPath at) =>
        validation.String(value, at, InboundLimits.MaxListItemLength) ?? "";

    private readonly void CheckFieldNames(bool allowExtensionAttributes)
    {
        // Each field asked for was found once and there are no others: the usual case, settled
        // without looking at a single name.
        if (!_isObject || _object.GetPropertyCount() == _found)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in _object.EnumerateObject())
        {
            var name = property.Name;
            if (!seen.Add(name))
            {
                _validation.Add(At(name), ValidationRules.DuplicateField, "Given more than once.");
            }
            else if (!WasRequested(name))
            {
                RejectUnrequested(name, property.Value, allowExtensionAttributes);
            }
        }
    }

    private readonly void RejectUnrequested(string name, JsonElement value, bool allowExtensionAttributes)
    {
        if (!allowExtensionAttributes)
        {
            _validation.Add(At(name), ValidationRules.UnknownField, "Not a field of this object in the contract.");
        }
        else if (!Formats.IsExtensionAttributeName(name))
        {
            _validation.Add(At(name), ValidationRules.UnknownField, "Not a CloudEvents attribute, nor a valid extension attribute name (lower-case letters and digits).");
        }
        else if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            _validation.Add(At(name), ValidationRules.WrongType, "An extension attribute must be a string, number or boolean.");
        }
    }

    private readonly bool WasRequested(string name)
    {
        for (var i = 0; i < _requestedCount; i++)
        {
            if (_requested[i] == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Room for the field names of the widest object in the contract (the envelope, 8).</summary>
    [InlineArray(12)]
    private struct FieldNames
    {
        private string _element;
    }
}
