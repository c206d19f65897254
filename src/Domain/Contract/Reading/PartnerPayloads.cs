using System.Text.Json;
using static YoungCarers.Domain.Contract.Reading.SharedPayloads;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>Readers of the partner payloads (the <c>data</c> member).</summary>
internal static class PartnerPayloads
{
    public static PartnerYoungCarerIdentified YoungCarerIdentified(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, "data");
        var payload = new PartnerYoungCarerIdentified(
            o.Person("child", ChildPerson),
            o.List("caredFor", AdultPerson, required: false),
            o.Date("identifiedOn"),
            o.Enum<YoungCarerIdentifiedBy>("identifiedBy"));
        o.RejectUnknownFields();
        return payload;
    }
}
