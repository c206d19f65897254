using System.Globalization;

namespace YoungCarers.Generation;

/// <summary>Which young carers a family has; storylines choose it before the family is made.</summary>
internal enum YoungCarerProfile
{
    /// <summary>No child cares: the family is background, and should raise nothing.</summary>
    None,

    /// <summary>A young carer aged 5 to 17.</summary>
    Child,

    /// <summary>A young carer of 16 or 17, who reaches 17 or 18 within the window: transition.</summary>
    NearlyAdult,

    /// <summary>A young adult carer (18 to 24) and no child carer.</summary>
    YoungAdultOnly,
}

/// <summary>Why the adult needs care: what the referral says and how the CIN census codes it.</summary>
/// <param name="ParentFactor">The CIN factor when a parent has the condition, e.g. "4B".</param>
/// <param name="OtherFactor">The CIN factor when another adult in the household has it, e.g. "4C".</param>
internal sealed record Condition(IReadOnlyList<string> ReferralReasons, string ParentFactor, string OtherFactor)
{
    public static readonly Condition MentalHealth = new(
        ["Severe depression; struggling with daily living", "Bipolar disorder; recent hospital admission", "Anxiety and agoraphobia; unable to leave home", "Psychosis; discharged from inpatient care"],
        "4B",
        "4C");

    public static readonly Condition PhysicalIllness = new(
        ["Multiple sclerosis; reduced mobility", "Stroke; discharged from hospital", "Cancer treatment; fatigue and pain", "COPD; breathless on exertion", "Kidney failure; dialysis three times a week"],
        "6B",
        "6C");

    public static readonly Condition Alcohol = new(["Alcohol dependency; self-neglect", "Alcohol-related liver disease"], "1B", "1C");

    public static readonly Condition Drugs = new(["Drug misuse; missed medical appointments", "Opioid dependency; recently left treatment"], "2B", "2C");

    public static readonly Condition Dementia = new(["Dementia; needs prompting with medication", "Dementia; wandering at night"], "6B", "6C");

    public static readonly Weighted<Condition> ForParents = new((MentalHealth, 38), (PhysicalIllness, 42), (Alcohol, 10), (Drugs, 10));

    public static readonly Weighted<Condition> ForGrandparents = new((Dementia, 55), (PhysicalIllness, 45));
}

/// <summary>One person in a family, with how each system that records them knows them.</summary>
/// <param name="Las">As adult social care (the LAS system) records them.</param>
/// <param name="Lcs">As children's social care (the LCS system) records them: a different id, perhaps less detail.</param>
internal sealed record Member(string GivenName, string FamilyName, DateOnly BirthDate, int Slot, string? NhsNumber, PersonRef Las, PersonRef Lcs)
{
    public DateOnly Turns(int years) => BirthDate.AddYears(years);

    public int AgeOn(DateOnly date)
    {
        var age = date.Year - BirthDate.Year;
        return date < BirthDate.AddYears(age) ? age - 1 : age;
    }
}

/// <summary>The people of one synthetic family and the facts every storyline about them shares.</summary>
/// <param name="CaredFor">The adult with care and support needs.</param>
/// <param name="IsGrandparent">The cared-for adult is a grandparent living with the children, not their parent.</param>
/// <param name="OtherAdult">A partner who does not need care, if any.</param>
/// <param name="YoungAdultCarer">A son or daughter aged 18 to 24 who cares, if any.</param>
/// <param name="YoungCarer">The child who cares, if any.</param>
/// <param name="SecondYoungCarer">A sibling who cares too, if any.</param>
internal sealed record Household(
    int Index,
    Condition Condition,
    bool IsGrandparent,
    Member CaredFor,
    Member? OtherAdult,
    Member? YoungAdultCarer,
    IReadOnlyList<Member> Children,
    Member? YoungCarer,
    Member? SecondYoungCarer)
{
    // Person ids are numbered by slot, in ranges that differ by system, so no two people share an id.
    // GenerationOptions.MaxFamilies slots fit in each range and in the NHS number space.
    private const int SlotsPerFamily = 8;
    private const int LasIdBase = 10_000_000;
    private const int LcsIdBase = 50_000_000;
    private const int PartnerIdBase = 70_000_000;

    /// <summary>Synthetic NHS numbers are "9" + 7 digits that scramble the slot + a free digit + the check digit.</summary>
    private const int NhsSlots = 10_000_000;

    // Coprime with 10^7, so multiplying by it permutes the slots: distinct people, distinct numbers.
    private const long NhsScramble = 7_654_321;

    private static readonly Weighted<int> ChildCounts = new((1, 40), (2, 40), (3, 20));

    /// <summary>The child's CIN factor for the cared-for adult's condition.</summary>
    public string ConditionFactor => IsGrandparent ? Condition.OtherFactor : Condition.ParentFactor;

    public static Household Create(int index, int seed, Rng rng, DateOnly firstContact, YoungCarerProfile profile)
    {
        var familyName = rng.Pick(Vocabulary.FamilyNames);
        var postcode = string.Create(
            CultureInfo.InvariantCulture,
            $"{rng.Pick(Vocabulary.OutwardCodes)} {rng.Next(10)}{Vocabulary.InwardLetters[rng.Next(Vocabulary.InwardLetters.Length)]}{Vocabulary.InwardLetters[rng.Next(Vocabulary.InwardLetters.Length)]}");
        var people = new People(index, seed, rng, familyName, postcode);

        var childCount = ChildCounts.Pick(rng);
        var children = new List<Member>(childCount);
        var carerAgeInDays = profile switch
        {
            // From 16 years 3 months to 17 years 10 months: the transition duty falls inside the window.
            YoungCarerProfile.NearlyAdult => (16 * 365) + rng.Between(90, 665),
            _ => rng.Between(5 * 365, (17 * 365) + 300),
        };
        children.Add(people.Child(3, firstContact.AddDays(-carerAgeInDays)));
        for (var i = 1; i < childCount; i++)
        {
            children.Add(people.Child(3 + i, firstContact.AddDays(-rng.Between(30, (17 * 365) + 300))));
        }

        var youngAdultCarer = profile == YoungCarerProfile.YoungAdultOnly || rng.Chance(0.08)
            ? people.Adult(2, firstContact, rng.Between(18, 24))
            : null;

        // Parents are at least 18 years older than their eldest; grandparents a generation more.
        var eldest = Math.Max(children.Max(child => child.AgeOn(firstContact)), youngAdultCarer?.AgeOn(firstContact) ?? 0);
        var isGrandparent = rng.Chance(0.12);
        var condition = (isGrandparent ? Condition.ForGrandparents : Condition.ForParents).Pick(rng);
        var caredForAge = isGrandparent ? Math.Max(eldest + 40, rng.Between(62, 88)) : eldest + rng.Between(18, 30);
        var caredFor = people.Adult(0, firstContact, caredForAge);
        var otherAdult = rng.Chance(0.4) ? people.Adult(1, firstContact, Math.Max(eldest + 18, caredForAge + rng.Between(-6, 6))) : null;

        Member? youngCarer = profile is YoungCarerProfile.None or YoungCarerProfile.YoungAdultOnly ? null : children[0];

        // A second carer is old enough to help (8 or more).
        var second = youngCarer is not null && childCount > 1 && rng.Chance(0.2) && children[1].AgeOn(firstContact) >= 8 ? children[1] : null;
        return new Household(
            index,
            condition,
            isGrandparent,
            caredFor,
            otherAdult,
            youngAdultCarer,
            children,
            youngCarer,
            second);
    }

    public static string KeyOf(int index) => string.Create(CultureInfo.InvariantCulture, $"family-{index:D6}");

    /// <summary>A valid, unique, synthetic NHS number for the slot. Real numbers start 0 to 7; none starts 9.</summary>
    public static string NhsNumberFor(int seed, long slot)
    {
        var scrambled = ((slot * NhsScramble) + (long)(Rng.Hash(seed, -1) % NhsSlots)) % NhsSlots;
        Span<char> digits = stackalloc char[10];
        digits[0] = '9';
        for (var i = 7; i >= 1; i--)
        {
            digits[i] = (char)('0' + (scrambled % 10));
            scrambled /= 10;
        }

        // The last of the nine is free, and at most one of its ten values gives the check digit 10,
        // which no issued number has: step past it.
        digits[8] = (char)('0' + (int)(Rng.Hash(seed, slot, 8) % 10));
        if (NhsCheckDigit(digits[..9]) == 10)
        {
            digits[8] = (char)('0' + ((digits[8] - '0' + 1) % 10));
        }

        digits[9] = (char)('0' + NhsCheckDigit(digits[..9]));
        return new string(digits);
    }

    /// <summary>Modulus 11 with weights 10 down to 2; 11 becomes 0, and 10 means the digits are unusable.</summary>
    private static int NhsCheckDigit(ReadOnlySpan<char> firstNine)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (firstNine[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check == 11 ? 0 : check;
    }

    /// <summary>How a partner knows a member: by the partner's own id, and with an NHS number only if the partner records one.</summary>
    public static PersonRef AsPartnerKnows(Member member, Partner partner, int seed, bool isChild)
    {
        // Drawn from the member and the partner, so the partner describes the member the same way every time.
        var draws = new Rng(Rng.Hash(seed, member.Slot, (int)partner.Kind));
        var recordsNhs = partner.Kind switch
        {
            PartnerKind.Gp or PartnerKind.Health => true,
            PartnerKind.School => draws.Chance(0.5),
            PartnerKind.YoungCarersService => draws.Chance(0.6),
            _ => draws.Chance(0.3),
        };
        return new PersonRef(
            partner.PersonSystem,
            (PartnerIdBase + member.Slot).ToString(CultureInfo.InvariantCulture),
            recordsNhs ? member.NhsNumber : null,
            member.GivenName,
            member.FamilyName,
            isChild || draws.Chance(0.5) ? member.BirthDate : null,
            draws.Chance(0.5) ? member.Las.Postcode ?? member.Lcs.Postcode : null);
    }

    /// <summary>Makes the family's people, each with a slot that keeps their ids and NHS number unique.</summary>
    private sealed class People(int index, int seed, Rng rng, string familyName, string postcode)
    {
        public Member Adult(int member, DateOnly onDate, int age)
        {
            var birthDate = onDate.AddYears(-age).AddDays(-rng.Next(365));

            // Adult social care records an adult's birth date nearly always; children's social care, for a parent, less often.
            return Make(member, birthDate, hasNhs: rng.Chance(0.93), lasKnowsNhs: 0.96, lcsKnowsNhs: 0.6, lasBirthDate: rng.Chance(0.9), lcsBirthDate: rng.Chance(0.6), rng.Chance(0.85) ? familyName : rng.Pick(Vocabulary.FamilyNames));
        }

        public Member Child(int member, DateOnly birthDate) =>
            Make(member, birthDate, hasNhs: rng.Chance(0.92), lasKnowsNhs: 0.75, lcsKnowsNhs: 0.97, lasBirthDate: true, lcsBirthDate: true, rng.Chance(0.9) ? familyName : rng.Pick(Vocabulary.FamilyNames));

        private Member Make(int member, DateOnly birthDate, bool hasNhs, double lasKnowsNhs, double lcsKnowsNhs, bool lasBirthDate, bool lcsBirthDate, string surname)
        {
            var slot = ((long)index * SlotsPerFamily) + member;
            var givenName = rng.Pick(Vocabulary.GivenNames);
            var nhs = hasNhs ? NhsNumberFor(seed, slot) : null;
            var las = new PersonRef(
                "LAS",
                (LasIdBase + slot).ToString(CultureInfo.InvariantCulture),
                rng.Chance(lasKnowsNhs) ? nhs : null,
                givenName,
                surname,
                lasBirthDate ? birthDate : null,
                rng.Chance(0.95) ? postcode : null);
            var lcs = new PersonRef(
                "LCS",
                (LcsIdBase + slot).ToString(CultureInfo.InvariantCulture),
                rng.Chance(lcsKnowsNhs) ? nhs : null,
                givenName,
                surname,
                lcsBirthDate ? birthDate : null,
                rng.Chance(0.9) ? postcode : null);
            return new Member(givenName, surname, birthDate, (int)slot, nhs, las, lcs);
        }
    }
}
