using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

public sealed class DevelopmentTokenTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    [InlineData("02:00:00", 7200)]
    public void Lifetimes_read_as_operators_write_them(string text, int seconds)
    {
        Assert.True(DevelopmentTokens.TryParseLifetime(text, out var lifetime));
        Assert.Equal(TimeSpan.FromSeconds(seconds), lifetime);
    }

    [Theory]
    [InlineData("0h")]
    [InlineData("31d")]
    [InlineData("soon")]
    [InlineData("-1h")]
    public void Lifetimes_that_are_empty_too_long_or_unreadable_are_refused(string text) =>
        Assert.False(DevelopmentTokens.TryParseLifetime(text, out _));
}
