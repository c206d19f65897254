using System.Text.Encodings.Web;
using System.Text.Json;
using YoungCarers.Api.Reads;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

public sealed class RepeatedTextsTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private static readonly string Long = new('x', RepeatedTexts.MaxTextBytes + 1);

    [Fact]
    public async Task Each_value_is_read_as_stored_and_a_repeated_one_is_the_same_string_escaped_once()
    {
        var texts = new RepeatedTexts(JavaScriptEncoder.Default);
        string[] stored = ["Care Act 2014 s63 \"transition\" <b>", "Working Together — ✓ ł", "", "Care Act 2014 s63 \"transition\" <b>", "Working Together — ✓ ł", Long, Long];

        await using var command = database.DataSource.CreateCommand("SELECT unnest(@texts::text[])");
        command.Parameters.AddWithValue("texts", stored);
        var read = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                read.Add(texts.Read(reader, 0));
            }
        }

        Assert.Equal(stored, read);
        Assert.Same(read[0], read[3]);
        Assert.Same(read[1], read[4]);
        Assert.NotSame(read[5], read[6]);
        Assert.All(read, text => Assert.Equal(JsonEncodedText.Encode(text, JavaScriptEncoder.Default), texts.Encoded(text)));
    }
}
