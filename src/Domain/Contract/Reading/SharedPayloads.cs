using System.Text.Json;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>Readers of the objects several payloads share.</summary>
internal static class SharedPayloads
{
    /// <summary>Stands in for a person who could not be read; the event is rejected anyway.</summary>
    public static PersonRef MissingPerson { get; } = new("", "", null, null, null, null, null);

    /// <summary>A person in an adult's role (or one who may be either): birthDate optional.</summary>
    public static PersonRef AdultPerson(Validation validation, JsonElement value, FieldPath at) =>
        Person(validation, value, at, isChild: false);

    /// <summary>A person in a child's role: birthDate required.</summary>
    public static PersonRef ChildPerson(Validation validation, JsonElement value, FieldPath at) =>
        Person(validation, value, at, isChild: true);

    public static ChildInHousehold ReadChildInHousehold(Validation validation, JsonElement value, FieldPath at)
    {
        var o = new FieldReader(validation, value, at.ToString());
        var child = new ChildInHousehold(
            o.Person("child", ChildPerson),
            o.Enum<CareProvision>("providesCare"),
            o.Strings("caringTasks", required: false),
            o.OptionalNumber("hoursPerWeek", 0, InboundLimits.MaxHoursPerWeek));
        o.RejectUnknownFields();
        return child;
    }

    public static LeadProfessional ReadLeadProfessional(Validation validation, JsonElement value, FieldPath at)
    {
        var o = new FieldReader(validation, value, at.ToString());
        var lead = new LeadProfessional(o.Name("name"), o.Name("team"), o.Name("service"));
        o.RejectUnknownFields();
        return lead;
    }

    private static PersonRef Person(Validation validation, JsonElement value, FieldPath at, bool isChild)
    {
        var o = new FieldReader(validation, value, at.ToString());
        var person = new PersonRef(
            o.Id("system"),
            o.Id("id"),
            o.OptionalNhsNumber("nhsNumber"),
            o.OptionalName("givenName"),
            o.OptionalName("familyName"),
            o.BirthDate("birthDate", required: isChild),
            o.OptionalPostcode("postcode"));
        o.RejectUnknownFields();
        return person;
    }
}
