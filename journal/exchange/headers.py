"""Column headers in each shipped language other than English, as data the import matches.

A file is the same in every language: the export writes English column names, and the import
reads them whatever the reader's language. A family who kept their own sheet wrote its headers
in their language, so the import also knows the headers a Spanish, French, German, Italian,
Brazilian or Dutch family is likely to write, each after `words.folded` (lower case, no
punctuation, units in brackets left out). They are matched in every language at once: the
language of the file need not be the language of the page.
"""

# Daily entries: the column each header means, per language.
ENTRY_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "date": ("fecha", "día", "dia"),
        "opsoclonus": ("ojos", "opsoclono", "movimientos oculares"),
        "myoclonus": ("sacudidas", "mioclonías", "mioclonias", "mioclono"),
        "ataxia": ("equilibrio", "ataxia"),
        "sleep": ("sueño", "sueno"),
        "rage": ("rabia", "ira", "irritabilidad", "rabietas"),
        "sleep_hours": ("horas de sueño", "horas de sueno", "horas dormidas"),
        "night_wakings": ("despertares", "despertares nocturnos"),
        "rage_episodes": ("episodios de rabia", "episodios de ira", "rabietas al día"),
        "rage_longest_minutes": ("rabia más larga", "rabia mas larga", "episodio más largo"),
        "max_temperature_c": ("temperatura", "temperatura máxima", "fiebre"),
        "doses": ("dosis", "dosis dadas", "medicación", "medicacion"),
        "notes": ("notas", "comentarios", "observaciones"),
        "question": ("pregunta", "preguntas", "pregunta para el neurólogo"),
    },
    "fr": {
        "date": ("date", "jour", "date du jour"),
        "opsoclonus": ("yeux", "opsoclonus", "mouvements des yeux"),
        "myoclonus": ("secousses", "myoclonies", "sursauts"),
        "ataxia": ("équilibre", "equilibre", "ataxie"),
        "sleep": ("sommeil",),
        "rage": ("colère", "colere", "rage", "irritabilité", "crises"),
        "sleep_hours": ("heures de sommeil", "heures dormies"),
        "night_wakings": ("réveils", "reveils", "réveils nocturnes", "réveils la nuit"),
        "rage_episodes": ("épisodes de colère", "episodes de colere", "crises de colère"),
        "rage_longest_minutes": ("colère la plus longue", "crise la plus longue"),
        "max_temperature_c": ("température", "temperature", "fièvre", "fievre"),
        "doses": ("doses", "doses données", "médicaments", "traitement donné"),
        "notes": ("notes", "remarques", "commentaires", "observations"),
        "question": ("question", "questions", "question pour le neurologue"),
    },
    "de": {
        "date": ("datum", "tag"),
        "opsoclonus": ("augen", "opsoklonus", "augenbewegungen"),
        "myoclonus": ("zuckungen", "myoklonien", "myoklonus"),
        "ataxia": ("gleichgewicht", "ataxie"),
        "sleep": ("schlaf",),
        "rage": ("wut", "wutanfälle", "reizbarkeit"),
        "sleep_hours": ("stunden schlaf", "schlafstunden", "geschlafene stunden"),
        "night_wakings": ("aufwachen", "nächtliches aufwachen", "wachphasen"),
        "rage_episodes": ("wutanfälle pro tag", "anzahl wutanfälle", "wutepisoden"),
        "rage_longest_minutes": ("längster wutanfall", "laengster wutanfall"),
        "max_temperature_c": ("temperatur", "höchste temperatur", "fieber"),
        "doses": ("dosen", "dosen gegeben", "medikamente"),
        "notes": ("notizen", "bemerkungen", "kommentare"),
        "question": ("frage", "fragen", "frage an den neurologen"),
    },
    "it": {
        "date": ("data", "giorno"),
        "opsoclonus": ("occhi", "opsoclono", "movimenti oculari"),
        "myoclonus": ("scatti", "mioclonie", "mioclono"),
        "ataxia": ("equilibrio", "atassia"),
        "sleep": ("sonno",),
        "rage": ("rabbia", "irritabilità", "irritabilita", "capricci"),
        "sleep_hours": ("ore di sonno", "ore dormite"),
        "night_wakings": ("risvegli", "risvegli notturni"),
        "rage_episodes": ("episodi di rabbia", "crisi di rabbia"),
        "rage_longest_minutes": ("rabbia più lunga", "rabbia piu lunga", "episodio più lungo"),
        "max_temperature_c": ("temperatura", "temperatura massima", "febbre"),
        "doses": ("dosi", "dosi date", "farmaci"),
        "notes": ("note", "commenti", "osservazioni", "note del giorno"),
        "question": ("domanda", "domande", "domanda per il neurologo"),
    },
    "pt-br": {
        "date": ("data", "dia"),
        "opsoclonus": ("olhos", "opsoclonia", "movimentos dos olhos"),
        "myoclonus": ("abalos", "mioclonias", "espasmos"),
        "ataxia": ("equilíbrio", "equilibrio", "ataxia"),
        "sleep": ("sono",),
        "rage": ("raiva", "irritabilidade", "birras"),
        "sleep_hours": ("horas de sono", "horas dormidas"),
        "night_wakings": ("despertares", "despertares noturnos", "acordou"),
        "rage_episodes": ("episódios de raiva", "episodios de raiva", "crises de raiva"),
        "rage_longest_minutes": ("raiva mais longa", "episódio mais longo"),
        "max_temperature_c": ("temperatura", "temperatura máxima", "febre"),
        "doses": ("doses", "doses dadas", "remédios", "medicação"),
        "notes": ("notas", "observações", "observacoes", "comentários"),
        "question": ("pergunta", "perguntas", "pergunta para o neurologista"),
    },
    "nl": {
        "date": ("datum", "dag"),
        "opsoclonus": ("ogen", "opsoclonus", "oogbewegingen"),
        "myoclonus": ("schokken", "myoclonieën", "myoclonieen", "trekkingen"),
        "ataxia": ("evenwicht", "balans", "ataxie"),
        "sleep": ("slaap",),
        "rage": ("woede", "woedeaanvallen", "prikkelbaarheid", "driftbuien"),
        "sleep_hours": ("uren slaap", "uren geslapen", "slaapuren"),
        "night_wakings": ("keren wakker", "nachtelijk wakker worden", "wakker geworden"),
        "rage_episodes": ("woedeaanvallen per dag", "aantal woedeaanvallen"),
        "rage_longest_minutes": ("langste woedeaanval", "langste driftbui"),
        "max_temperature_c": ("temperatuur", "hoogste temperatuur", "koorts"),
        "doses": ("doses", "doses gegeven", "medicijnen"),
        "notes": ("notities", "opmerkingen", "aantekeningen"),
        "question": ("vraag", "vragen", "vraag voor de neuroloog"),
    },
}

# Trigger events: the column each header means, per language.
EVENT_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "date": ("fecha", "inicio", "fecha de inicio", "desde"),
        "end_date": ("fin", "fecha de fin", "hasta"),
        "type": ("tipo", "desencadenante", "tipo de desencadenante"),
        "detail": ("detalle", "detalles", "descripción", "descripcion"),
        "notes": ("notas", "comentarios"),
        "time": ("hora",),
    },
    "fr": {
        "date": ("date", "début", "debut", "date de début", "du"),
        "end_date": ("fin", "date de fin", "au", "jusqu au"),
        "type": ("type", "déclencheur", "declencheur", "type de déclencheur"),
        "detail": ("détail", "detail", "détails", "description"),
        "notes": ("notes", "remarques", "commentaires"),
        "time": ("heure",),
    },
    "de": {
        "date": ("datum", "beginn", "startdatum", "von"),
        "end_date": ("ende", "enddatum", "bis"),
        "type": ("art", "typ", "auslöser", "ausloeser"),
        "detail": ("detail", "details", "beschreibung"),
        "notes": ("notizen", "bemerkungen"),
        "time": ("uhrzeit", "zeit"),
    },
    "it": {
        "date": ("data", "inizio", "data di inizio", "dal"),
        "end_date": ("fine", "data di fine", "al"),
        "type": ("tipo", "fattore scatenante"),
        "detail": ("dettaglio", "dettagli", "descrizione"),
        "notes": ("note", "commenti"),
        "time": ("ora",),
    },
    "pt-br": {
        "date": ("data", "início", "inicio", "data de início", "de"),
        "end_date": ("fim", "data de fim", "até", "ate"),
        "type": ("tipo", "gatilho", "tipo de gatilho"),
        "detail": ("detalhe", "detalhes", "descrição", "descricao"),
        "notes": ("notas", "observações", "comentários"),
        "time": ("hora", "horário"),
    },
    "nl": {
        "date": ("datum", "begin", "begindatum", "van"),
        "end_date": ("einde", "einddatum", "tot"),
        "type": ("soort", "type", "aanleiding", "uitlokker"),
        "detail": ("detail", "details", "beschrijving", "omschrijving"),
        "notes": ("notities", "opmerkingen"),
        "time": ("tijd", "tijdstip"),
    },
}


def with_languages(
    english: dict[str, tuple[str, ...]], by_language: dict[str, dict[str, tuple[str, ...]]]
) -> dict[str, tuple[str, ...]]:
    """The English headers of each column followed by those of every other language; a word
    already known for an earlier column is left to it, so that a header means one column."""
    taken = {word for said in english.values() for word in said}
    merged = {target: list(said) for target, said in english.items()}
    for headers in by_language.values():
        for target, said in headers.items():
            for word in said:
                if word not in taken:
                    merged[target].append(word)
                    taken.add(word)
    return {target: tuple(said) for target, said in merged.items()}
