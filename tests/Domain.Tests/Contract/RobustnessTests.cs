using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Tests.Contract;

/// <summary>Whatever bytes arrive, the parser answers with a result: an exception would stall ingestion.</summary>
public class RobustnessTests
{
    public static TheoryData<string> AcceptedTypes => new(Examples.All.Select(example => example.Type));

    [Theory]
    [MemberData(nameof(AcceptedTypes))]
    public void Every_truncation_of_a_valid_event_is_rejected_as_malformed(string type)
    {
        var json = Examples.For(type).Utf8;

        for (var length = 0; length < json.Length; length++)
        {
            var rejected = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(json.AsSpan(0, length), Examples.Now));
            Assert.Equal(ValidationRules.MalformedJson, Assert.Single(rejected.Errors).Rule);
        }
    }

    [Theory]
    [MemberData(nameof(AcceptedTypes))]
    public void Corrupted_bytes_never_make_the_parser_throw(string type)
    {
        var original = Examples.For(type).Utf8;
        var random = new Random(20250304);
        byte[] replacements = [.. "\"\\{}[]:,0123456789-.eEtruefalsn \t\n"u8, 0x00, 0x7F, 0xC3, 0xFF];

        for (var round = 0; round < 2000; round++)
        {
            var corrupted = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupted[random.Next(corrupted.Length)] = replacements[random.Next(replacements.Length)];
            }

            var result = InboundEventParser.Parse(corrupted, Examples.Now);

            Assert.True(result is ParsedEvent or RejectedEvent { Errors.Count: > 0 });
        }
    }
}
