using System.Text.Json;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;

namespace YoungCarers.Domain.Tests.Family;

/// <summary>The service's own dispute and waiver events keep their stored names and JSON, both ways.</summary>
public sealed class FamilyEventTests
{
    public static TheoryData<string, IFamilyEvent> Events() => new()
    {
        {
            "dispute.raised.v1",
            new DisputeRaised("D-1", Services.ChildrensSocialCare, DisputeSubject.NeedOwnership, ["nhs:4010232137"], "Whose need?", Spec.Instant("2026-03-02T10:00:00Z"), "j.smith")
        },
        { "dispute.escalated.v1", new DisputeEscalated("D-1", "Stuck at practitioner level.", Spec.Instant("2026-03-04T14:00:00+00:00"), "a.manager", 1) },
        { "dispute.interim-lead-agreed.v1", new DisputeInterimLeadAgreed("D-1", Services.AdultSocialCare, Spec.Instant("2026-03-03T09:00:00Z"), null) },
        {
            "dispute.resolved.v1",
            new DisputeResolved("D-1", Services.AdultSocialCare, [new(Services.AdultSocialCare, 62.5m), new(Services.ChildrensSocialCare, 37.5m)],
                Spec.Instant("2026-03-20T16:45:00Z"), "Agreed at heads of service.", "h.service")
        },
        { "dispute.resolved.v1", new DisputeResolved("D-2", Services.ChildrensSocialCare, null, Spec.Instant("2026-03-20T16:45:00Z"), null, null) },
        { "obligation.waived.v1", new ObligationWaived("decide-on-referral:system:LCS/C-20411:urn:x/e1", "Withdrawn.", "integration.team", Spec.Instant("2026-03-05T09:00:00Z")) },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Each_event_round_trips_under_its_versioned_type_name(string type, IFamilyEvent e)
    {
        var (storedType, json) = FamilyEventSerializer.Serialize(e);

        Assert.Equal(type, storedType);
        Assert.Equal(e, FamilyEventSerializer.Deserialize(storedType, json));
    }

    [Fact]
    public void The_json_uses_the_contract_names()
    {
        var (_, raised) = FamilyEventSerializer.Serialize(
            new DisputeRaised("D-1", Services.AdultSocialCare, DisputeSubject.NeedOwnership, ["system:LAS/7781"], "Whose need?", Spec.Instant("2026-03-02T10:00:00Z"), "j.smith"));
        using var doc = JsonDocument.Parse(raised);
        Assert.Equal("need-ownership", doc.RootElement.GetProperty("subject").GetString());
        Assert.Equal("adult-social-care", doc.RootElement.GetProperty("raisedBy").GetString());
        Assert.Equal("system:LAS/7781", doc.RootElement.GetProperty("persons")[0].GetString());
        Assert.Equal("j.smith", doc.RootElement.GetProperty("raisedByUser").GetString());

        var (_, resolved) = FamilyEventSerializer.Serialize(
            new DisputeResolved("D-1", Services.AdultSocialCare, [new(Services.AdultSocialCare, 50m), new(Services.ChildrensSocialCare, 50m)], Spec.Instant("2026-03-20T16:45:00Z"), null, null));
        using var split = JsonDocument.Parse(resolved);
        Assert.Equal(50m, split.RootElement.GetProperty("fundingSplit")[1].GetProperty("percent").GetDecimal());
        Assert.Equal("childrens-social-care", split.RootElement.GetProperty("fundingSplit")[1].GetProperty("service").GetString());
        Assert.False(split.RootElement.TryGetProperty("note", out _));
    }

    [Fact]
    public void Invalid_events_are_refused_where_they_are_made()
    {
        var at = Spec.Instant("2026-03-02T10:00:00Z");
        Assert.Throws<ArgumentException>(() => new DisputeRaised("D-1", "education", DisputeSubject.Funding, [], "Who pays?", at, "j.smith"));
        Assert.Throws<ArgumentException>(() => new DisputeRaised("", Services.AdultSocialCare, DisputeSubject.Funding, [], "Who pays?", at, "j.smith"));
        Assert.Throws<ArgumentException>(() => new DisputeEscalated("D-1", "", at, "a.manager", null));
        Assert.Throws<ArgumentException>(() => new DisputeInterimLeadAgreed("D-1", "health", at, null));
        Assert.Throws<ArgumentException>(() => new DisputeResolved("D-1", Services.AdultSocialCare, [new(Services.AdultSocialCare, 60m)], at, null, null));
        Assert.Throws<ArgumentException>(() => new DisputeResolved("D-1", Services.AdultSocialCare, [], at, null, null));
        Assert.Throws<ArgumentException>(() => new DisputeResolved("D-1", Services.AdultSocialCare,
            [new(Services.AdultSocialCare, 50m), new(Services.AdultSocialCare, 50m)], at, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FundingShare(Services.AdultSocialCare, 101m));
        Assert.Throws<ArgumentException>(() => FamilyEventSerializer.Deserialize("dispute.raised.v1", """{"disputeId":"D-1","raisedBy":"nobody","subject":"funding","persons":[],"summary":"s","raisedOn":"2026-03-02T10:00:00Z","raisedByUser":"u"}"""));
    }

    [Fact]
    public void An_unknown_stored_type_is_refused()
    {
        Assert.Throws<ArgumentException>(() => FamilyEventSerializer.Deserialize("dispute.raised.v9", "{}"));
    }
}
