namespace YoungCarers.Api.CommandLine;

/// <summary>What the command line says of a file it was given that is not there.</summary>
internal static class MissingFile
{
    /// <summary>
    /// Names the full path looked at and, for a relative one, the directory it was taken from:
    /// <c>dotnet run</c> runs the command in the project's directory, not the caller's.
    /// </summary>
    public static string Message(FileInfo file)
    {
        var given = file.ToString();
        return Path.IsPathFullyQualified(given)
            ? $"youngcarers: there is no file {file.FullName}."
            : $"youngcarers: there is no file {file.FullName}. A relative path is taken from the working directory, {Environment.CurrentDirectory}, "
              + $"which `dotnet run` sets to the project's directory; give the full path instead (for example \"$PWD/{given}\").";
    }
}
