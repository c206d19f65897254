using YoungCarers.Api.Reads;

namespace YoungCarers.Api.Tests;

public sealed class ObligationPageJsonTests
{
    private static readonly Microsoft.AspNetCore.Http.Json.JsonOptions ServiceOptions = new();
    private static readonly System.Text.Json.JsonSerializerOptions ServiceJson = ServiceOptions.SerializerOptions;
    private readonly ObligationPageJson _pageJson = new(Microsoft.Extensions.Options.Options.Create(ServiceOptions));

    private static readonly ObligationSummary Overdue = new(
        "family-1", "7f3a", "acknowledge-referral", "childrens-social-care", "overdue",
        new DateOnly(2024, 2, 29), new DateOnly(2024, 3, 1), new DateTimeOffset(2024, 3, 1, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990), null,
        "Working Together 2023 (acknowledge within one working day); \"confirm within 48 hours\" <section 14> & more.", "spec-1.0");

    private static readonly ObligationSummary Met = new(
        "family-ł-2", "a\u001fb", "transition-assessment", "adult-social-care", "met",
        new DateOnly(999, 1, 2), new DateOnly(2026, 12, 31), new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero), new DateOnly(2026, 11, 30),
        "Care Act 2014 s63-s64; No Wrong Doors for Young Carers 'section 5' — ✓", "local-2026\\1");

    public static TheoryData<string?> Cursors => new() { null, "MjAyNi0wMS0wMR9mYW1pbHktMR83ZjNh" };

    [Theory]
    [MemberData(nameof(Cursors))]
    public void A_page_is_written_byte_for_byte_as_the_serializer_writes_it(string? nextCursor)
    {
        var page = new Page<ObligationSummary>([Overdue, Met, Overdue with { FamilyId = "family-3" }], nextCursor);

        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(page, ServiceJson), Written(page));
    }

    [Fact]
    public void A_page_asked_about_an_instant_is_written_with_its_instants_as_the_serializer_writes_it()
    {
        var page = new Page<ObligationSummary>([Overdue, Met], "MjAyNi0wMS0wMR9mYW1pbHktMR83ZjNh")
        {
            AsOf = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero),
            KnownAt = new DateTimeOffset(2026, 12, 5, 14, 30, 15, TimeSpan.Zero).AddTicks(1_234_567),
        };

        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(page, ServiceJson), Written(page));
    }

    [Fact]
    public void An_empty_page_is_written_as_the_serializer_writes_it()
    {
        var page = new Page<ObligationSummary>([], null);

        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(page, ServiceJson), Written(page));
    }

    [Fact]
    public void A_page_larger_than_the_pooled_buffer_first_rented_is_written_whole()
    {
        var page = new Page<ObligationSummary>([.. Enumerable.Range(0, 200).Select(i => Overdue with { FamilyId = $"family-{i}" })], null);

        using var pooled = new PooledBufferWriter(16);
        _pageJson.Write(page, pooled);

        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(page, ServiceJson), pooled.WrittenMemory.ToArray());
    }

    private byte[] Written(Page<ObligationSummary> page)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        _pageJson.Write(page, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
