"""Narratives for the demo organization, written for Careloop (no real client said these).

Each entry: (kind, language, narrative, desired outcome, HCAT category it mostly concerns)."""

from __future__ import annotations

NARRATIVES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "complaint",
        "en",
        "My mother pressed the call bell at 2am and nobody came for forty minutes. "
        "She was trying to get to the bathroom and ended up wet and crying when the aide arrived.",
        "I want to know why it took so long and that it will not happen again.",
        "sev_quality",
    ),
    (
        "complaint",
        "en",
        "Dinner arrived stone cold again on Tuesday. This is the third time this "
        "week. My husband is diabetic and the tray was missing his snack as well.",
        "Hot meals and the right tray.",
        "sev_environment",
    ),
    (
        "grievance",
        "en",
        "I asked three times for someone to explain my father's new medication and "
        "was told the doctor would come back. Nobody did before he was discharged.",
        "A call from the doctor to go through the medicines.",
        "sev_communication",
    ),
    (
        "grievance",
        "en",
        "The nurse on nights spoke to me as if I was stupid when I said the pain "
        "relief was not working. I felt dismissed and I did not sleep at all.",
        "An apology and for my pain to be taken seriously.",
        "sev_listening",
    ),
    (
        "complaint",
        "en",
        "We waited six hours in the emergency department with no update at all. "
        "My daughter had a temperature of 39 and we were not offered water.",
        "Someone to tell families what is going on while they wait.",
        "sev_institutional",
    ),
    (
        "grievance",
        "en",
        "My wife's glasses and hearing aid went missing when she moved rooms. "
        "Nobody can tell us where they went and she cannot follow conversations now.",
        "Replace the hearing aid and glasses.",
        "sev_institutional",
    ),
    (
        "complaint",
        "en",
        "The bathroom in room 412 has not been cleaned for two days and there is "
        "a smell. I mentioned it at the desk yesterday.",
        "Clean the room properly.",
        "sev_environment",
    ),
    (
        "grievance",
        "en",
        "I was billed for a procedure I never had. I called the billing line "
        "twice and was put on hold for an hour both times.",
        "Correct the bill.",
        "sev_institutional",
    ),
    (
        "complaint",
        "en",
        "The physical therapist did not turn up for my home visit on Friday and "
        "nobody called to say. I had arranged for my son to take the morning off.",
        "A reliable visit time or a phone call when plans change.",
        "sev_institutional",
    ),
    (
        "grievance",
        "en",
        "My father was discharged at 9pm without his medication list and the "
        "pharmacy was closed. He missed his evening heart tablets.",
        "A proper discharge plan for the future.",
        "sev_safety",
    ),
    (
        "complaint",
        "en",
        "Staff talk loudly outside the rooms all night and laugh. My mother "
        "cannot rest and she is very unwell.",
        "Quiet at night.",
        "sev_environment",
    ),
    (
        "grievance",
        "en",
        "Nobody asked my permission before discussing my diagnosis in front of "
        "my visitors. I felt humiliated.",
        "Respect for my privacy.",
        "sev_respect",
    ),
    (
        "privacy_complaint",
        "en",
        "A letter with my test results was sent to my old address even "
        "though I updated it at the front desk last month.",
        "Fix my address and tell me who saw the letter.",
        "sev_respect",
    ),
    (
        "compliment",
        "en",
        "I want to thank the night team on 4 West, especially the nurse who sat "
        "with my dad when he was frightened. You made a terrible week bearable.",
        "",
        "",
    ),
    (
        "compliment",
        "en",
        "The home care aide who comes on Tuesdays is wonderful. She always "
        "takes time to chat with Mum and notices when something is not right.",
        "",
        "",
    ),
    (
        "compliment",
        "en",
        "Thank you to the ICU staff for explaining everything so clearly and "
        "for letting us stay late on the last night.",
        "",
        "",
    ),
    (
        "suggestion",
        "en",
        "It would help if the visiting hours were printed on the door of each "
        "ward, and if there was somewhere to charge a phone in the family room.",
        "",
        "",
    ),
    (
        "suggestion",
        "en",
        "Could the menu have a softer option for people who have trouble "
        "chewing? My aunt leaves most of her food.",
        "",
        "",
    ),
    (
        "safety_concern",
        "en",
        "My mother has a large bruise on her arm that nobody can explain. "
        "She says a man grabbed her when she would not get into bed.",
        "An investigation and to keep her safe.",
        "sev_safety",
    ),
    (
        "safety_concern",
        "en",
        "Cash and a ring went missing from my father's bedside drawer between Saturday and Monday.",
        "Find out what happened.",
        "sev_safety",
    ),
    (
        "safety_concern",
        "en",
        "My aunt was left sitting in a soiled chair for most of the "
        "afternoon and has a sore on her back that was not there last week.",
        "Proper care and someone to check the sore.",
        "sev_quality",
    ),
    (
        "complaint",
        "es",
        "Mi madre tocó el timbre durante la noche y nadie vino en casi una hora. "
        "Tuvo que esperar mojada y muy asustada.",
        "Que me expliquen por qué tardaron tanto.",
        "sev_quality",
    ),
    (
        "grievance",
        "es",
        "Nadie me explicó en español los medicamentos nuevos de mi padre antes "
        "del alta. Pedimos un intérprete dos veces.",
        "Una llamada con intérprete para repasar las medicinas.",
        "sev_communication",
    ),
    (
        "complaint",
        "es",
        "La comida llegó fría tres días seguidos y a mi esposo le falta la "
        "merienda que necesita por la diabetes.",
        "Comida caliente y la bandeja correcta.",
        "sev_environment",
    ),
    (
        "compliment",
        "es",
        "Quiero dar las gracias a la enfermera del turno de noche que habló con "
        "mi abuela en español y la tranquilizó. Fue muy amable.",
        "",
        "",
    ),
    (
        "grievance",
        "es",
        "Me cobraron una consulta que no tuve. Llamé dos veces y nadie me "
        "ayudó a corregir la factura.",
        "Corregir la factura.",
        "sev_institutional",
    ),
    (
        "safety_concern",
        "es",
        "Mi tía tiene moretones en los brazos y dice que una persona del "
        "personal la empujó. Estamos muy preocupados.",
        "Una investigación.",
        "sev_safety",
    ),
    (
        "suggestion",
        "es",
        "Sería útil tener los carteles de la sala de espera también en español.",
        "",
        "",
    ),
    (
        "complaint",
        "it",
        "Mia madre ha suonato il campanello di notte e nessuno è venuto per "
        "quasi un'ora. È rimasta bagnata e spaventata.",
        "Voglio sapere perché e che non succeda più.",
        "sev_quality",
    ),
    (
        "grievance",
        "it",
        "Nessuno ci ha spiegato la nuova terapia di mio padre prima della "
        "dimissione. Abbiamo chiesto più volte di parlare con il medico.",
        "Una telefonata dal medico.",
        "sev_communication",
    ),
    (
        "complaint",
        "it",
        "La stanza non è stata pulita per due giorni e il bagno ha un cattivo "
        "odore. L'ho segnalato ieri al banco.",
        "Pulire la stanza.",
        "sev_environment",
    ),
    (
        "compliment",
        "it",
        "Grazie all'infermiera del reparto che ha avuto tanta pazienza con mio "
        "nonno. Si è sentito ascoltato e rispettato.",
        "",
        "",
    ),
    (
        "grievance",
        "it",
        "Il personale parlava della mia diagnosi davanti ai miei ospiti senza "
        "chiedermi il permesso. Mi sono sentita umiliata.",
        "Rispetto della mia privacy.",
        "sev_respect",
    ),
    (
        "safety_concern",
        "it",
        "Sono spariti dei soldi e un anello dal comodino di mio padre nel fine settimana.",
        "Scoprire cosa è successo.",
        "sev_safety",
    ),
    (
        "suggestion",
        "it",
        "Sarebbe utile avere gli orari di visita scritti anche in italiano all'ingresso.",
        "",
        "",
    ),
)

FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Tom",
    "Rosa",
    "Daniel",
    "Priya",
    "Michael",
    "Grace",
    "Luis",
    "Hannah",
    "Samuel",
    "Fatima",
    "Owen",
    "Elena",
    "Marcus",
    "Chloe",
    "Giulia",
    "Kwame",
    "Sofia",
    "Noah",
    "Leila",
    "Ben",
    "Ana",
    "Isaac",
    "Mei",
    "Carlos",
    "Ruth",
    "Tariq",
    "Paola",
)
LAST_NAMES = (
    "Garcia",
    "Johnson",
    "Okafor",
    "Nguyen",
    "Rossi",
    "Patel",
    "Smith",
    "Hernandez",
    "Kowalski",
    "Brown",
    "Ibrahim",
    "Bianchi",
    "Murphy",
    "Chen",
    "Lopez",
    "Williams",
    "Adeyemi",
    "Ricci",
    "Davis",
    "Martinez",
    "Singh",
    "Moore",
    "Esposito",
    "Taylor",
    "Khan",
    "Clark",
    "Romano",
)
JOB_TITLES = (
    ("Registered nurse", "nursing"),
    ("Nursing assistant", "nursing"),
    ("Hospitalist", "medical"),
    ("Charge nurse", "nursing"),
    ("Unit clerk", "administrative"),
    ("Physical therapist", "allied"),
    ("Home health aide", "nursing"),
    ("Dietary aide", "support"),
    ("Housekeeper", "support"),
    ("Social worker", "allied"),
    ("Pharmacist", "allied"),
    ("Attending physician", "medical"),
)
