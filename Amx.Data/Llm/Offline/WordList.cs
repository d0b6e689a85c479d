namespace Amx.Data.Llm.Offline;

/// <summary>
/// Splits concatenated lower-case identifiers (PostgreSQL folds unquoted names: <c>stateprovinceid</c>,
/// <c>modifieddate</c>) into words from a word list of common data-model vocabulary, by dynamic programming over
/// the fewest pieces. A name that cannot be covered entirely by known words is left whole (docs/drafting-quality.md).
/// </summary>
public static class WordList
{
    // Data-model vocabulary: entities, attributes, time words, verbs in past participle, common modifiers.
    const string Words = """
        account accounts action active activity actor actual add added address addresses adjusted admin age agent
        aggregate alias allowed alternate amount analysis annual answer api app applied application approved area
        arrival article asset assigned attempt attribute audit author auto available average award
        back balance bank base batch bill billing birth block body bonus book booking box branch brand budget build
        building bulk business buyer
        calendar call campaign cancel cancelled canceled capacity card carrier cart case cash catalog category cell
        center change changed channel charge check child city class classification clerk client close closed code
        collection color column comment commission company complete completed condition config confirmed contact
        contract cost count country county coupon course cover create created credit currency current customer cycle
        daily data date day days deal debit default degree delete deleted delivery demographics department deposit
        description destination detail details device discount display district document domain done due duration
        earned edition education effective email employee employees enabled end entity entry error estimate event
        exchange expense expiration expiry external
        factor failed family fax feature fee field file film first fiscal flag floor format found free frequency
        from full
        gender general geo given global goal grade grant gross group guest
        hand handle hash header height hire history hold holiday home hour hours household
        identifier image import inactive income index info initial input inserted installment instance interest
        internal inventory invoice issue issued item
        job join journal
        key kind
        label language last late latitude launch lead left legal length level license limit line link list load
        loan local location lock login logo longitude loss lot
        mail main manager manufacturer margin marital mark market master match max maximum measure media member
        menu message method middle min minimum mobile mode model modified month name net new next nick node note
        notes number
        object offer office old online open operation operator option order ordered orders organization origin
        original other out owner
        package page paid parent part partner party pass password path pay payment payroll pending percent
        percentage period person phone photo picture place plan planned platform point policy position post postal
        preferred premium previous price primary priority product profile profit program project promotion
        province purchase purpose
        quality quantity quarter query queue quota
        range rank rate replacement rating reason receipt received record reference region registration rejected release
        rental rent report request required reserve response result retail return returned revenue review right
        role room rounded route row rule run
        safety salary sale sales salesperson sample schedule schema score sealed search season second secondary
        section security segment sell seller sent sequence serial service session set setting shift ship shipment
        shipped shipping short side sign size skill sku slot sold source special speed staff stage standard start
        state statement station statistic status step stock store street style subject subtotal suffix summary
        supplier support surname system
        table tag target task tax team term territory test text thumbnail ticket tier time timestamp title total
        track trade transaction transfer travel trial type
        unit units update updated upload url usage user valid validation value vendor version video view visit
        volume
        warehouse week weight width window work year zone zip
        """;

    static readonly HashSet<string> Lexicon = BuildLexicon();

    // Two-letter pieces are accepted only from this list: otherwise "rental" would become "rent al".
    static readonly HashSet<string> ShortPieces = new(StringComparer.Ordinal) { "id", "no", "on", "of", "to", "by", "at", "in", "is", "ip", "pk", "fk", "sk", "dt", "ts", "tz", "yn", "cd", "nm", "ad" };

    static HashSet<string> BuildLexicon()
    {
        var set = new HashSet<string>(Words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        return set;
    }

    /// <summary>Whether the word list (or the vocabulary) knows <paramref name="word"/>.</summary>
    public static bool Contains(string word) => Lexicon.Contains(word) || Vocabulary.IsKnown(word);

    static bool IsPiece(string piece) =>
        piece.Length >= 3 ? Lexicon.Contains(piece) || Vocabulary.IsKnown(piece) || Vocabulary.IsAbbreviation(piece)
        : ShortPieces.Contains(piece);

    /// <summary>The words of a concatenated lower-case token (<c>stateprovinceid</c> → state, province, id), or null when
    /// the token is a word itself, too short, or cannot be covered by known words.</summary>
    public static List<string>? Segment(string token)
    {
        if (token.Length < 5 || Contains(token) || token.AsSpan().ContainsAnyExceptInRange('a', 'z')) return null;
        var n = token.Length;
        // best[i]: fewest pieces covering token[..i]; ties prefer the longer last piece (greedy reads worse).
        var best = new int[n + 1];
        var from = new int[n + 1];
        Array.Fill(best, int.MaxValue);
        best[0] = 0;
        for (var i = 1; i <= n; i++)
            for (var j = Math.Max(0, i - 20); j < i; j++)
            {
                if (best[j] == int.MaxValue || !IsPiece(token[j..i])) continue;
                if (best[j] + 1 < best[i]) { best[i] = best[j] + 1; from[i] = j; }
            }
        if (best[n] == int.MaxValue || best[n] < 2) return null;
        var pieces = new List<string>();
        for (var i = n; i > 0; i = from[i]) pieces.Add(token[from[i]..i]);
        pieces.Reverse();
        return pieces;
    }
}
