using Npgsql;
using YoungCarers.EventStore.Connections;

namespace YoungCarers.EventStore.Tests;

public sealed class DataSourceDefaultsTests
{
    [Fact]
    public void Automatic_preparation_and_the_larger_write_buffer_are_on_when_the_connection_string_does_not_set_them()
    {
        var applied = new NpgsqlConnectionStringBuilder(DataSourceDefaults.Apply("Host=localhost;Database=yc;Username=app;Password=secret"));

        Assert.Equal(DataSourceDefaults.MaxAutoPrepare, applied.MaxAutoPrepare);
        Assert.Equal(DataSourceDefaults.AutoPrepareMinUsages, applied.AutoPrepareMinUsages);
        Assert.Equal(DataSourceDefaults.WriteBufferSize, applied.WriteBufferSize);
        Assert.Equal("secret", applied.Password);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0;Auto Prepare Min Usages=5;Write Buffer Size=16384")]
    [InlineData("maxautoprepare=0;AUTOPREPAREMINUSAGES=5;writebuffersize=16384")]
    public void An_explicit_setting_in_the_connection_string_wins(string settings)
    {
        var applied = new NpgsqlConnectionStringBuilder(DataSourceDefaults.Apply($"Host=localhost;Database=yc;{settings}"));

        Assert.Equal(0, applied.MaxAutoPrepare);
        Assert.Equal(5, applied.AutoPrepareMinUsages);
        Assert.Equal(16384, applied.WriteBufferSize);
    }
}
