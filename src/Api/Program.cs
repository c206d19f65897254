using YoungCarers.Api.CommandLine;

return await YoungCarersCommandLine.InvokeAsync(args);

/// <summary>The entry point, public so that integration tests can host the service.</summary>
public partial class Program;
