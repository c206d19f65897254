using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using YoungCarers.Domain.Policy;
using YoungCarers.Projections.Daemon;
using YoungCarers.Projections.Deadlines;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.TimeTravel;

namespace YoungCarers.Projections;

/// <summary>The <c>Projections</c> configuration section.</summary>
public sealed record ProjectionsOptions
{
    /// <summary>False runs no daemon or deadline worker in this process (the tables are still read).</summary>
    public bool Enabled { get; init; } = true;

    public ProjectionDaemonOptions Daemon { get; init; } = new();

    public DeadlineWorkerOptions Deadlines { get; init; } = new();
}

public static class ProjectionsRegistration
{
    /// <summary>The configuration key naming the council's policy file (YAML); empty uses the SPEC defaults.</summary>
    public const string PolicyFileKey = "Policy:File";

    /// <summary>
    /// Registers the local policy (from <c>Policy:File</c>; an unusable file throws
    /// <see cref="PolicyFileException"/> here, so the service does not start on a wrong policy),
    /// the family read model with its projection daemon and deadline worker as hosted services
    /// (options from the <c>Projections</c> section), and <see cref="FamilyTimeMachine"/>.
    /// Needs an <c>NpgsqlDataSource</c> registered.
    /// </summary>
    public static IServiceCollection AddProjections(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection("Projections").Get<ProjectionsOptions>() ?? new ProjectionsOptions();
        var policy = LoadPolicy(configuration[PolicyFileKey]);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(policy);
        services.AddSingleton(options);
        services.AddSingleton(options.Daemon);
        services.AddSingleton(options.Deadlines);
        services.AddSingleton(sp => new FamilyReadModel(sp.GetRequiredService<LocalPolicy>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IProjection, FamilyReadModelProjection>();
        services.AddSingleton<FamilyTimeMachine>();
        if (options.Enabled)
        {
            services.AddSingleton<ProjectionDaemon>();
            services.AddHostedService(sp => sp.GetRequiredService<ProjectionDaemon>());
            services.AddSingleton<DeadlineWorker>();
            services.AddHostedService(sp => sp.GetRequiredService<DeadlineWorker>());
        }

        return services;
    }

    /// <summary>The policy in the file at <paramref name="path"/>, or the SPEC defaults when no path is given.</summary>
    /// <exception cref="PolicyFileException">The file cannot be read or is not a valid policy.</exception>
    public static LocalPolicy LoadPolicy(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return LocalPolicy.Default;
        }

        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyFileException($"The policy file {Path.GetFullPath(path)} ({PolicyFileKey}) cannot be read: {e.Message}");
        }

        return PolicyFile.Parse(yaml, path);
    }
}
