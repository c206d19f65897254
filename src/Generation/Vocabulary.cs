namespace YoungCarers.Generation;

/// <summary>
/// The words storylines are written with. Names mix the backgrounds of a London borough and include
/// accents, apostrophes and hyphens, because real case records do and code that handles names must
/// cope with them. Schools, practices and trusts are invented.
/// </summary>
internal static class Vocabulary
{
    public static readonly string[] GivenNames =
    [
        "Oliver", "Mohammed", "Noah", "George", "Leo", "Arthur", "Jack", "Harry", "Oscar", "Theo",
        "Jacob", "Ethan", "Aarav", "Yusuf", "Daniel", "Kofi", "Tomasz", "Luca", "Adam", "Ibrahim",
        "Samuel", "Rohan", "Eitan", "Kwame", "José", "Mateusz", "Ahmed", "Finn", "Emre", "Dylan",
        "Olivia", "Amelia", "Isla", "Ava", "Lily", "Freya", "Sophia", "Grace", "Mia", "Aisha",
        "Fatima", "Zoë", "Chloé", "Maya", "Priya", "Hannah", "Leah", "Amara", "Esther", "Zainab",
        "Ayşe", "Siobhán", "Maria", "Ella", "Ruby", "Noor", "Alicja", "Nia", "Layla", "Yael",
    ];

    public static readonly string[] FamilyNames =
    [
        "Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Cohen", "Ahmed", "Singh",
        "O'Brien", "Murphy", "Kowalski", "Nowak", "Okafor", "Mensah", "Adeyemi", "Hussain", "Ali", "Shah",
        "Levy", "Georgiou", "Papadopoulos", "Demir", "Yılmaz", "Nguyen", "Chen", "Wilson", "Evans", "Davies",
        "Thomas", "Roberts", "Walker", "Wright", "Green", "Hall", "Wood", "Clarke", "Begum", "Rahman",
        "Silva", "Santos", "Costa", "Rossi", "Ivanova", "Popescu", "Smith-Jones", "Mahmoud", "Osei", "Abubakar",
    ];

    /// <summary>Outward codes of the borough and its edges.</summary>
    public static readonly string[] OutwardCodes =
    [
        "EN4", "EN5", "N2", "N3", "N10", "N11", "N12", "N14", "N20", "NW2", "NW4", "NW7", "NW9", "NW11", "HA8",
    ];

    /// <summary>The letters Royal Mail uses in the inward code.</summary>
    public const string InwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

    public static readonly string[] CaringTasks =
    [
        "personal care", "medication", "cooking", "shopping", "housework", "emotional support",
        "looking after siblings", "interpreting", "managing money", "mobility support", "attending appointments",
    ];

    public static readonly string[] Impacts =
    [
        "school attendance", "educational attainment", "friendships", "sleep", "emotional wellbeing",
        "physical health", "leisure time", "lateness to school",
    ];

    public static readonly string[] CarePlanEndReasons =
    [
        "Moved to residential care", "Needs met; support no longer required", "Deceased",
        "Moved out of the borough", "Declined further support", "Admitted to hospital long term",
    ];

    public static readonly string[] AdultClosureReasons =
    [
        "Needs met", "Moved out of the borough", "Declined services", "Deceased", "Transferred to continuing healthcare",
    ];

    public const string NoEligibleNeeds = "No eligible needs under the Care Act";

    public static readonly string[] AdultTeams =
    [
        "Adult Social Care East Locality", "Adult Social Care West Locality", "Mental Health Social Work Team",
        "Hospital Discharge Team", "Learning Disabilities and Autism Team",
    ];

    public static readonly string[] ChildrenTeams =
    [
        "Children in Need Team North", "Children in Need Team South", "Young Carers and Families Team",
        "Assessment and Intervention Team", "Transitions Team",
    ];

    public static readonly string[] Schools =
    [
        "northgate-primary", "oakhill-academy", "cedar-park-secondary", "brookfield-primary",
        "st-aidans-ce-primary", "hillside-high", "willowmead-primary", "queensway-academy",
    ];

    public static readonly string[] GpPractices =
    [
        "greenfield-surgery", "parkview-medical-practice", "station-road-surgery", "elm-tree-health-centre",
    ];

    public static readonly string[] HealthServices =
    [
        "community-health-trust", "mental-health-trust-camhs", "hospital-trust-paediatrics",
    ];

    public static readonly string[] OtherPartners = ["housing-association", "police-safer-neighbourhoods"];
}
