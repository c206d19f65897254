namespace YoungCarers.Testing;

/// <summary>
/// Files checked into the repository (samples, policies), found from the test's output directory.
/// Compiled into YoungCarers.Testing and linked into the test projects that do not need a database.
/// </summary>
internal static class RepositoryFiles
{
    public static string PathOf(params string[] parts) => Path.Combine([Root(), .. parts]);

    private static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "YoungCarers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with YoungCarers.sln) is not above the test's directory.");
    }
}
