namespace YoungCarers.Api.Security;

/// <summary>The <c>Auth</c> configuration does not let the service authenticate callers safely; the message says what to fix.</summary>
public sealed class SecurityConfigurationException(string message) : Exception(message);
