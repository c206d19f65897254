using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace YoungCarers.Api.Reads;

/// <summary>
/// Writes a page of <see cref="ObligationSummary"/> exactly as the service's JSON options would,
/// byte for byte, without its per-property metadata walk, and with each basis (a few hundred
/// characters of statute, quotes included, repeated on every obligation of its kind) escaped once
/// and then copied (<see cref="Texts"/>). The list is the busiest read after a family; the
/// serializer was about a quarter of the service's CPU for it.
/// </summary>
internal sealed class ObligationPageJson(IOptions<HttpJsonOptions> options)
{
    private static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
    private static readonly JsonEncodedText NextCursor = JsonEncodedText.Encode("nextCursor");
    private static readonly JsonEncodedText AsOf = JsonEncodedText.Encode("asOf");
    private static readonly JsonEncodedText KnownAt = JsonEncodedText.Encode("knownAt");
    private static readonly JsonEncodedText FamilyId = JsonEncodedText.Encode("familyId");
    private static readonly JsonEncodedText ObligationRef = JsonEncodedText.Encode("obligationRef");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText OwedBy = JsonEncodedText.Encode("owedBy");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText OpenedOn = JsonEncodedText.Encode("openedOn");
    private static readonly JsonEncodedText DueOn = JsonEncodedText.Encode("dueOn");
    private static readonly JsonEncodedText Deadline = JsonEncodedText.Encode("deadline");
    private static readonly JsonEncodedText MetOn = JsonEncodedText.Encode("metOn");
    private static readonly JsonEncodedText Basis = JsonEncodedText.Encode("basis");
    private static readonly JsonEncodedText PolicyVersion = JsonEncodedText.Encode("policyVersion");

    private readonly JavaScriptEncoder? _encoder = options.Value.SerializerOptions.Encoder;

    /// <summary>The texts that repeat across obligations, read from the page's rows and escaped once.</summary>
    public RepeatedTexts Texts { get; } = new(options.Value.SerializerOptions.Encoder);

    /// <summary>The page as a response, written into a pooled buffer when it is sent, and tagged from those bytes.</summary>
    public IResult Result(Page<ObligationSummary> page) => new PageResult(this, page);

    public void Write(Page<ObligationSummary> page, IBufferWriter<byte> buffer)
    {
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = _encoder }))
        {
            json.WriteStartObject();
            json.WriteStartArray(Items);
            foreach (var obligation in page.Items)
            {
                json.WriteStartObject();
                json.WriteString(FamilyId, obligation.FamilyId);
                json.WriteString(ObligationRef, obligation.ObligationRef);
                json.WriteString(Kind, obligation.Kind);
                json.WriteString(OwedBy, obligation.OwedBy);
                json.WriteString(Status, obligation.Status);
                WriteDate(json, OpenedOn, obligation.OpenedOn);
                WriteDate(json, DueOn, obligation.DueOn);
                json.WriteString(Deadline, obligation.Deadline);
                if (obligation.MetOn is { } metOn)
                {
                    WriteDate(json, MetOn, metOn);
                }
                else
                {
                    json.WriteNull(MetOn);
                }

                json.WriteString(Basis, Texts.Encoded(obligation.Basis));
                json.WriteString(PolicyVersion, Texts.Encoded(obligation.PolicyVersion));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString(NextCursor, page.NextCursor);
            WriteInstant(json, AsOf, page.AsOf);
            WriteInstant(json, KnownAt, page.KnownAt);
            json.WriteEndObject();
        }
    }

    private static void WriteInstant(Utf8JsonWriter json, JsonEncodedText name, DateTimeOffset? instant)
    {
        if (instant is { } value)
        {
            json.WriteString(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteDate(Utf8JsonWriter json, JsonEncodedText name, DateOnly date)
    {
        Span<byte> text = stackalloc byte[10];
        date.TryFormat(text, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        json.WriteString(name, text[..written]);
    }

    private sealed class PageResult(ObligationPageJson pageJson, Page<ObligationSummary> page) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            using var body = new PooledBufferWriter(1024 + (page.Items.Count * 640));
            pageJson.Write(page, body);
            await EntityTags.SendAsync(httpContext, body.WrittenMemory, EntityTags.Of(body.WrittenMemory.Span));
        }
    }
}
