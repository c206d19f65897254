using System.Security.Cryptography;

namespace YoungCarers.Api.Security;

/// <summary>
/// The signing key for development tokens: generated once, kept beside the embedded PostgreSQL's data
/// directory (<c>.data/dev-signing-key</c> by default), readable by its owner only.
/// </summary>
internal static class DevelopmentSigningKey
{
    public const int KeyBytes = 32;

    /// <summary><c>Auth:DevelopmentKeyFile</c>, else <c>dev-signing-key</c> in the directory that holds the embedded cluster's data directory.</summary>
    public static string PathFor(IConfiguration configuration)
    {
        if (configuration["Auth:DevelopmentKeyFile"] is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(configuration["EmbeddedPostgres:DataDirectory"] ?? ".data/postgres"));
        return Path.Combine(Path.GetDirectoryName(dataDirectory) ?? dataDirectory, "dev-signing-key");
    }

    /// <summary>The key in <paramref name="path"/>, created (mode 600) if there is none yet; safe against a concurrent creator.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return Read(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            File.Delete(temporary);
        }

        return Read(path);
    }

    private static byte[] Read(string path)
    {
        try
        {
            var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            return key.Length >= KeyBytes
                ? key
                : throw new SecurityConfigurationException($"The development signing key in {path} is shorter than {KeyBytes} bytes; delete it to have a new one generated.");
        }
        catch (FormatException)
        {
            throw new SecurityConfigurationException($"The development signing key in {path} is not base64; delete it to have a new one generated.");
        }
    }
}
