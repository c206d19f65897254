using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace YoungCarers.Domain.Policy;

/// <summary>A policy file that cannot be used; the message lists every problem with its line.</summary>
public sealed class PolicyFileException(string message) : Exception(message);

/// <summary>
/// Reads a council's policy file (YAML). Anything it leaves out keeps the SPEC default; anything it
/// gets wrong (an unknown key, a negative number, an empty ladder) stops start-up with a message
/// naming the line, because a silently ignored policy would compute every deadline wrongly. A file
/// that sets anything must name its <c>version</c>: obligations and flags record it, and the SPEC
/// default's would hide which rules computed them.
/// </summary>
/// <example><code>
/// version: barnet-2025-1
/// timescales:
///   young-carer-assessment: { workingDays: 35 }
///   complete-adult-assessment: { calendarDays: 21 }
/// disputes:
///   interimLeadWorkingDays: 1
///   ladder:
///     - { name: practitioners, workingDays: 3 }
///     - { name: heads of service, workingDays: 5 }
/// transition: { startsAtAge: { years: 17, months: 0 } }
/// flags: { fallsBetweenServicesAfterWorkingDays: 10 }
/// extraHolidays: [2026-06-08]
/// </code></example>
public static class PolicyFile
{
    public static LocalPolicy Parse(string yaml, string fileName = "policy")
    {
        var problems = new List<string>();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                throw new PolicyFileException($"{fileName}: the policy must be a YAML mapping (key: value lines).");
            }

            root = mapping;
        }
        catch (YamlException e)
        {
            throw new PolicyFileException($"{fileName}: line {e.Start.Line}: not valid YAML: {e.Message}");
        }

        var policy = LocalPolicy.Default;
        foreach (var (key, value) in Mapping(root, "policy", problems))
        {
            switch (key)
            {
                case "version":
                    policy = policy with { Version = Scalar(value, "version", problems) ?? policy.Version };
                    break;
                case "timescales":
                    policy = policy with { Timescales = ReadTimescales(value, policy.Timescales, problems) };
                    break;
                case "disputes":
                    policy = ReadDisputes(value, policy, problems);
                    break;
                case "transition":
                    policy = ReadTransition(value, policy, problems);
                    break;
                case "flags":
                    foreach (var (flagKey, flagValue) in Mapping(value, "flags", problems))
                    {
                        if (flagKey == "fallsBetweenServicesAfterWorkingDays")
                        {
                            policy = policy with { FallsBetweenServicesWorkingDays = Number(flagValue, $"flags.{flagKey}", problems, minimum: 1) ?? policy.FallsBetweenServicesWorkingDays };
                        }
                        else
                        {
                            problems.Add(Problem(flagValue, $"flags.{flagKey} is not a setting (known: fallsBetweenServicesAfterWorkingDays)"));
                        }
                    }

                    break;
                case "extraHolidays":
                    policy = policy with { ExtraHolidays = ReadDates(value, problems) };
                    break;
                default:
                    problems.Add(Problem(value, $"'{key}' is not a policy setting (known: version, timescales, disputes, transition, flags, extraHolidays)"));
                    break;
            }
        }

        // Any key but version sets something, which would otherwise be recorded under the SPEC default's version.
        if (root.Children.Count > 0 && !root.Children.ContainsKey("version"))
        {
            problems.Add("version is missing: a policy that sets anything must name its version, which every obligation and flag records");
        }

        return problems.Count == 0
            ? policy
            : throw new PolicyFileException($"{fileName} is not a usable policy:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }

    private static Dictionary<string, Timescale> ReadTimescales(YamlNode node, IReadOnlyDictionary<string, Timescale> defaults, List<string> problems)
    {
        var timescales = new Dictionary<string, Timescale>(defaults);
        foreach (var (kind, value) in Mapping(node, "timescales", problems))
        {
            if (!defaults.ContainsKey(kind))
            {
                problems.Add(Problem(value, kind == ObligationKinds.TransitionAssessment
                    ? "timescales.transition-assessment is fixed by statute (the day before the 18th birthday); set transition.startsAtAge instead"
                    : $"timescales.{kind} is not an obligation kind (known: {string.Join(", ", defaults.Keys)})"));
                continue;
            }

            var fields = Mapping(value, $"timescales.{kind}", problems).ToList();
            if (fields is not [var (unit, amount)] || unit is not ("workingDays" or "calendarDays"))
            {
                problems.Add(Problem(value, $"timescales.{kind} needs exactly one of workingDays or calendarDays"));
                continue;
            }

            if (Number(amount, $"timescales.{kind}.{unit}", problems, minimum: 0) is { } days)
            {
                timescales[kind] = new Timescale(days, unit == "workingDays" ? DayCount.WorkingDays : DayCount.CalendarDays);
            }
        }

        return timescales;
    }

    private static LocalPolicy ReadDisputes(YamlNode node, LocalPolicy policy, List<string> problems)
    {
        foreach (var (key, value) in Mapping(node, "disputes", problems))
        {
            switch (key)
            {
                case "interimLeadWorkingDays":
                    policy = policy with { InterimLeadWorkingDays = Number(value, "disputes.interimLeadWorkingDays", problems, minimum: 0) ?? policy.InterimLeadWorkingDays };
                    break;
                case "ladder" when value is YamlSequenceNode { Children.Count: > 0 } ladder:
                    var stages = new List<DisputeStage>();
                    for (var i = 0; i < ladder.Children.Count; i++)
                    {
                        var path = $"disputes.ladder[{i}]";
                        var fields = Mapping(ladder.Children[i], path, problems).ToDictionary(f => f.Key, f => f.Value);
                        var name = fields.TryGetValue("name", out var n) ? Scalar(n, $"{path}.name", problems) : null;
                        var days = fields.TryGetValue("workingDays", out var d) ? Number(d, $"{path}.workingDays", problems, minimum: 1) : null;
                        if (name is null || days is null || fields.Count != 2)
                        {
                            problems.Add(Problem(ladder.Children[i], $"{path} needs a name and workingDays, and nothing else"));
                            continue;
                        }

                        stages.Add(new DisputeStage(name, days.Value));
                    }

                    policy = policy with { DisputeLadder = stages };
                    break;
                case "ladder":
                    problems.Add(Problem(value, "disputes.ladder must list at least one stage"));
                    break;
                default:
                    problems.Add(Problem(value, $"disputes.{key} is not a setting (known: interimLeadWorkingDays, ladder)"));
                    break;
            }
        }

        return policy;
    }

    private static LocalPolicy ReadTransition(YamlNode node, LocalPolicy policy, List<string> problems)
    {
        foreach (var (key, value) in Mapping(node, "transition", problems))
        {
            if (key != "startsAtAge")
            {
                problems.Add(Problem(value, $"transition.{key} is not a setting (known: startsAtAge)"));
                continue;
            }

            var fields = Mapping(value, "transition.startsAtAge", problems).ToDictionary(f => f.Key, f => f.Value);
            var years = fields.TryGetValue("years", out var y) ? Number(y, "transition.startsAtAge.years", problems, minimum: 0) : 0;
            var months = fields.TryGetValue("months", out var m) ? Number(m, "transition.startsAtAge.months", problems, minimum: 0) : 0;
            var total = years * 12 + months;
            if (total is null or < 12 * 14 or >= 12 * 18 || fields.Keys.Any(k => k is not ("years" or "months")))
            {
                problems.Add(Problem(value, "transition.startsAtAge takes years and months, from 14 years to under 18"));
                continue;
            }

            policy = policy with { TransitionStartsAtMonths = total.Value };
        }

        return policy;
    }

    private static List<DateOnly> ReadDates(YamlNode node, List<string> problems)
    {
        if (node is not YamlSequenceNode dates)
        {
            problems.Add(Problem(node, "extraHolidays must be a list of dates (yyyy-mm-dd)"));
            return [];
        }

        var result = new List<DateOnly>();
        foreach (var item in dates.Children)
        {
            if (item is YamlScalarNode { Value: { } text } && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                result.Add(date);
            }
            else
            {
                problems.Add(Problem(item, "extraHolidays items are dates written yyyy-mm-dd"));
            }
        }

        return result;
    }

    private static IEnumerable<(string Key, YamlNode Value)> Mapping(YamlNode node, string path, List<string> problems)
    {
        if (node is not YamlMappingNode mapping)
        {
            problems.Add(Problem(node, $"{path} must be a mapping (key: value)"));
            return [];
        }

        return mapping.Children.Select(child => (child.Key is YamlScalarNode { Value: { } key } ? key : "", child.Value));
    }

    private static string? Scalar(YamlNode node, string path, List<string> problems)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        problems.Add(Problem(node, $"{path} must be a non-empty value"));
        return null;
    }

    private static int? Number(YamlNode node, string path, List<string> problems, int minimum)
    {
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        problems.Add(Problem(node, $"{path} must be a whole number of at least {minimum}"));
        return null;
    }

    private static string Problem(YamlNode node, string message) => $"line {node.Start.Line}: {message}";
}
