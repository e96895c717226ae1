"""Word lists and rules for safety-risk screening (data only; the engine is screening.py).

Every pattern is matched against *folded* text: NFKC, casefolded, accents stripped, zero-width and
bidirectional control characters removed, typographic apostrophes turned into ``'``. So patterns
are written in lower case without accents ("caido", "e caduta", "moreton").

Rules are ``(rule id, risk, pattern)``; false-positive contexts are
``(rule id, risks they cancel, pattern)``: a cue hit whose span overlaps a context match of the
same language and a listed risk is kept but marked with the context's id (and does not flag).

Patterns must stay linear: no nested unbounded quantifiers; gaps are bounded word counts
(``(?:\\w+\\s+){0,3}?``) or bounded character runs that cannot cross a sentence end
(``[^.!?\\n]{0,60}?``).

Labelling policy (shared with the evaluation fixture):

- abuse: physical, verbal (shouting at, swearing at, insulting, name-calling, mocking), sexual,
  financial abuse or unlawful restraint of a client, by anyone in a position of care. Verbal abuse
  by staff counts. Rudeness between visitors and reception staff (e.g. about parking) does not.
- neglect: basic care not given (left soiled, not fed or given water, not turned, call bell
  unanswered, nobody came), dehydration, malnutrition, pressure sores.
- injury: bruises, wounds, fractures, burns, bleeding, pressure sores (also neglect).
- fall: the person fell, slipped, tripped or was found on the floor.
- medication_error: wrong drug, wrong dose, double dose, missed or omitted doses, given despite an
  allergy, another person's medication.
- self_harm: wish to die, suicidal talk or attempts, deliberate self-injury.
"""

from __future__ import annotations

from collections.abc import Mapping

RuleSpec = tuple[str, str, str]
ContextSpec = tuple[str, tuple[str, ...], str]

# ---------------------------------------------------------------------------------------------
# Shared fragments
# ---------------------------------------------------------------------------------------------

_EN_PERSON = (
    r"(?:her|him|me|us|them|my\s+(?:mum|mom|mother|dad|father|wife|husband|son|daughter|sister|"
    r"brother|aunt|uncle|gran|granny|grandma|grandmother|grandad|grandfather|nan|nana|partner|"
    r"friend|relative)|mum|mom|dad|residents?|patients?|clients?|the\s+(?:patient|resident|"
    r"client|man|woman|lady|gentleman|old\s+lady|old\s+man)s?|a\s+(?:patient|resident|client)|"
    r"another\s+(?:patient|resident))"
)
# Body parts and objects after "hit her ...", "pushed her ...": not an assault on the person.
_EN_NOT_ASSAULT = (
    r"(?!(?:'s)?\s+(?:own\s+)?(?:head|face|arm|arms|leg|legs|knee|hip|back|elbow|shoulder|chin|"
    r"nose|wheelchair|chair|bed|trolley|walker|frame|pram|buggy|call\s+bell|buzzer|button|way|"
    r"limit|hand|hands))"
)
_EN_MED = (
    r"(?:medication|medications|medicine|medicines|meds|tablets?|pills?|dose|doses|dosage|drugs?|"
    r"insulin|injection|injections|inhaler|patch|eye\s*drops|warfarin|morphine|antibiotics?|"
    r"painkillers?|pain\s+relief)"
)
_ES_MED = (
    r"(?:medicacion|medicaciones|medicamentos?|pastillas?|pildoras?|comprimidos?|dosis|farmacos?|"
    r"insulina|inyeccion|antibioticos?|tratamiento|sintrom|morfina|parches?|gotas)"
)
_IT_MED = (
    r"(?:terapi[ae]|farmac[oi]|medicin[ae]|medicinal[ei]|pastigli[ae]|pillol[ae]|compress[ae]|"
    r"dos[ei]|insulina|iniezion[ei]|antibiotic[oi]|anticoagulant[ei]|morfina|cerott[oi]|gocce)"
)
_ES_CLITIC = r"(?:le|la|lo|les|las|los|me|nos)"

# ---------------------------------------------------------------------------------------------
# English
# ---------------------------------------------------------------------------------------------

EN_RULES: tuple[RuleSpec, ...] = (
    # fall
    ("en.fall.verb", "fall", r"\b(?:fell|fallen|falls|falling|fall)\b"),
    ("en.fall.slip", "fall", r"\b(?:slipped|slipping|tripped|tripping|trips\s+over)\b"),
    (
        "en.fall.floor",
        "fall",
        r"\b(?:found|lying|lay|laid|ended\s+up|end\s+up|left)\s+(?:[\w']+\s+){0,3}?on\s+the\s+"
        r"(?:bathroom\s+|bedroom\s+|toilet\s+|cold\s+)?(?:floor|ground)\b",
    ),
    # injury
    ("en.injury.bruise", "injury", r"\bbruis(?:e|es|ed|ing)\b"),
    (
        "en.injury.fracture",
        "injury",
        r"\bfractur(?:e|es|ed)\b|\bbroken\s+(?:\w+\s+)?(?:hip|arm|wrist|leg|ankle|bones?|nose|"
        r"ribs?|femur|collarbone|shoulder|finger|toe|jaw)\b|\bbroke\s+(?:her|his|my|their)\s+"
        r"(?:\w+\s+)?(?:hip|arm|wrist|leg|ankle|nose|ribs?|femur|collarbone|shoulder|finger|toe|"
        r"jaw)\b",
    ),
    (
        "en.injury.wound",
        "injury",
        r"\b(?:wounds?|gash|gashes|lacerations?|skin\s+tears?|black\s+eye|concussion|"
        r"head\s+injury|stitches|scratches|swollen)\b",
    ),
    ("en.injury.injured", "injury", r"\binjur(?:y|ies|ed|ing)\b"),
    ("en.injury.bleed", "injury", r"\b(?:bleeding|bled|bleeds|covered\s+in\s+blood)\b"),
    ("en.injury.burn", "injury", r"\b(?:burns?|burnt|burned|scald|scalded|scalds)\b"),
    (
        "en.injury.hurt",
        "injury",
        r"\bhurt\s+(?:her|him|herself|himself|themselves|my\s+\w+|mum|mom|dad|the\s+(?:patient|"
        r"resident))\b|\b(?:got|gets|get|was|were|been|being)\s+hurt\b",
    ),
    (
        "en.injury.cut",
        "injury",
        r"\bcuts?\s+(?:on|to)\s+(?:her|his|my|the)\b|\bcut\s+(?:her|his|my)\s+(?:\w+\s+)?"
        r"(?:head|hand|finger|lip|leg|arm|face|foot|forehead|chin)\b",
    ),
    (
        "en.injury.hit_head",
        "injury",
        r"\b(?:hit|banged|bumped|struck)\s+(?:her|his|my|their)\s+head\b",
    ),
    (
        "en.injury.pressure_sore",
        "injury",
        r"\bpressure\s+(?:sores?|ulcers?|damage|injur(?:y|ies))\b|\bbed\s*sores?\b",
    ),
    ("en.injury.marks", "injury", r"\b(?:marks|scratch)\s+(?:on|all\s+over)\s+(?:her|his|my)\b"),
    # abuse
    (
        "en.abuse.assault",
        "abuse",
        r"\b(?:slap|slaps|slapped|slapping|punched|punching|kicked|kicking|smacked|pinched|"
        r"shoved|shoving|throttled|choked)\b",
    ),
    (
        "en.abuse.handled",
        "abuse",
        r"\b(?:hit|hits|hitting|struck|pushed|pushing|grabbed|grabbing|dragged|dragging|shook|"
        r"shaking)\s+" + _EN_PERSON + r"\b" + _EN_NOT_ASSAULT + r"|\b(?:pushed|shoved|thrown|"
        r"threw|forced)\s+(?:\w+\s+)?(?:back\s+)?(?:into|onto|against)\s+(?:his|her|the|a)\s+"
        r"(?:chair|bed|wall|wheelchair|door)\b",
    ),
    (
        "en.abuse.verbal",
        "abuse",
        r"\b(?:shouted|shouting|shouts|yelled|yelling|screamed|screaming|swore|swearing|sworn|"
        r"snapped|barked|cursed)\s+at\s+" + _EN_PERSON + r"\b",
    ),
    (
        "en.abuse.names",
        "abuse",
        r"\bcalled\s+(?:her|him|me|my\s+\w+)\s+(?:a\s+|an\s+)?(?:names|stupid|useless|fat|dirty|"
        r"disgusting|lazy|idiot|pathetic|liar|baby|attention\s*seeker)\b",
    ),
    (
        "en.abuse.word",
        "abuse",
        r"\b(?:abus(?:e|ed|es|ing|ive|ively)|mistreat(?:ed|ing|ment)?|ill[-\s]treat(?:ed|ment)|"
        r"maltreat(?:ed|ment)?|humiliat(?:ed|ing|es|e)|belittl(?:ed|ing|es|e)|mock(?:ed|ing)|"
        r"bull(?:ied|ying)|intimidat(?:ed|ing|ion))\b",
    ),
    (
        "en.abuse.threat",
        "abuse",
        r"\bthreaten(?:ed|ing|s)?\s+(?:her|him|my\s+\w+|residents?|patients?)\b",
    ),
    ("en.abuse.rough", "abuse", r"\brough(?:ly)?\s+(?:with|handl\w*|treat\w*)|\bmanhandl\w*"),
    (
        "en.abuse.restraint",
        "abuse",
        r"\b(?:restrained|tied|strapped|locked)\s+(?:\w+\s+){0,2}?(?:in|to|into)\s+"
        r"(?:\w+\s+){0,2}?(?:chair|bed|room|wheelchair)\b",
    ),
    (
        "en.abuse.sexual",
        "abuse",
        r"\b(?:sexual(?:ly)?\s+(?:assault\w*|abus\w*|harass\w*|inappropriate)|"
        r"inappropriate(?:ly)?\s+touch\w*|touched\s+(?:her|him)\s+inappropriately|groped)\b",
    ),
    (
        "en.abuse.financial",
        "abuse",
        r"\b(?:stole|stolen|stealing)\s+(?:from\s+)?(?:her|his|my)\b|"
        r"\bmoney\s+(?:\w+\s+){0,2}?(?:missing|taken|stolen)\b",
    ),
    # neglect
    (
        "en.neglect.soiled",
        "neglect",
        r"\b(?:soiled|soaking\s+wet|urine[-\s]soaked|soaked\s+in\s+urine|wet\s+(?:sheets|bed|pads?|"
        r"clothes|through)|(?:sitting|lying|left)\s+in\s+(?:her|his|their)\s+own\s+\w+|"
        r"dirty\s+(?:pads?|nappy|sheets|incontinence))\b",
    ),
    (
        "en.neglect.nobody",
        "neglect",
        r"\b(?:no\s*one|nobody|no\s+staff|no\s+nurse|no\s+carer|none\s+of\s+the\s+staff)\s+"
        r"(?:\w+\s+)?(?:came|come|comes|coming|answered|responded|helped|help|checked|changed|"
        r"turned|fed|washed|bathed|noticed|moved|brought|attended|bothered|looked\s+in)\b",
    ),
    (
        "en.neglect.not_done",
        "neglect",
        r"\b(?:not|never|wasn't|weren't|hasn't|hadn't|haven't|isn't)\s+(?:been\s+|being\s+)?"
        r"(?:fed|washed|bathed|showered|changed|turned|repositioned|toileted|"
        r"given\s+(?:anything\s+to\s+(?:drink|eat)|a\s+drink|water|food)|"
        r"helped\s+to\s+(?:eat|drink|the\s+toilet))\b|"
        r"\b(?:didn't|did\s+not|don't|do\s+not|never)\s+(?:\w+\s+)?(?:feed|wash|change|turn|"
        r"reposition|toilet|check\s+on)\s+(?:her|him|them|my\s+\w+)\b",
    ),
    ("en.neglect.left_alone", "neglect", r"\bleft\s+(?:\w+\s+)?(?:alone|unattended)\b"),
    (
        "en.neglect.left_waiting",
        "neglect",
        r"\bleft\s+(?:\w+\s+)?(?:lying|sitting|waiting)\s+(?:\w+\s+){0,4}?for\s+"
        r"(?:hours|\w+\s+hours|days)\b",
    ),
    (
        "en.neglect.out_of_reach",
        "neglect",
        r"\b(?:call\s+bell|bell|buzzer|alarm|food|meals?|water|drinks?|tray|jug|cup)\b"
        r"[^.!?\n]{0,40}?\bout\s+of\s+(?:her\s+|his\s+|their\s+)?reach\b",
    ),
    (
        "en.neglect.ignored",
        "neglect",
        r"\bignor(?:ed|ing|es)\s+(?:her|his|my\s+\w+'s|the)\s+(?:call\s+bell|buzzer|bell|"
        r"requests?|pleas|cries|calls)\b|\b(?:call\s+bell|buzzer)\s+(?:\w+\s+){0,3}?"
        r"(?:ignored|unanswered|not\s+answered)\b",
    ),
    (
        "en.neglect.word",
        "neglect",
        r"\b(?:dehydrated|dehydration|malnourished|malnutrition|starving|starved|unwashed|"
        r"unkempt|neglect|neglected|neglectful|negligence|negligent)\b",
    ),
    (
        "en.neglect.pressure_sore",
        "neglect",
        r"\bpressure\s+(?:sores?|ulcers?|damage)\b|\bbed\s*sores?\b",
    ),
    (
        "en.neglect.unnoticed",
        "neglect",
        r"\b(?:hours|all\s+night|overnight|all\s+day)\s+before\s+(?:anyone|anybody|someone|"
        r"somebody|staff)\s+(?:noticed|came|found|checked)\b",
    ),
    (
        "en.neglect.same_pad",
        "neglect",
        r"\bsame\s+(?:pad|nappy|clothes|sheets|dressing)\s+(?:for|since|all)\b",
    ),
    # medication error
    (
        "en.med.wrong",
        "medication_error",
        r"\bwrong\s+(?:\w+\s+)?" + _EN_MED + r"\b|\b" + _EN_MED + r"\s+(?:[\w']+\s+){0,3}?"
        r"(?:meant|intended|prescribed)\s+for\s+(?:another|someone\s+else|a\s+different)\b|"
        r"\b(?:someone\s+else's|another\s+(?:patient|resident)'s)\s+(?:\w+\s+)?" + _EN_MED,
    ),
    (
        "en.med.double",
        "medication_error",
        r"\b(?:double|extra|duplicate|twice\s+the)\s+(?:\w+\s+)?(?:dose|doses|dosage|amount)\b|"
        r"\boverdos(?:e|ed|es|ing)\b|\btoo\s+much\s+(?:\w+\s+)?" + _EN_MED + r"\b|"
        r"\b(?:given|gave|administered)\s+(?:\w+\s+){0,4}?twice\b",
    ),
    (
        "en.med.missed",
        "medication_error",
        r"\b(?:missed|skipped|omitted|forgot|forgotten|forgetting|forget)\s+(?:[\w']+\s+){0,5}?"
        + _EN_MED
        + r"\b",
    ),
    (
        "en.med.not_given",
        "medication_error",
        r"\b" + _EN_MED + r"\s+(?:was|were|had|has|have)\s+(?:\w+\s+)?(?:not|never)\s+"
        r"(?:been\s+)?(?:given|administered|signed\s+for)\b|\b(?:not|never|wasn't|weren't)\s+"
        r"(?:been\s+)?(?:given|offered|administered)\s+(?:[\w']+\s+){0,2}?" + _EN_MED + r"\b|"
        r"\b(?:didn't|did\s+not|never)\s+(?:give|administer)\s+(?:[\w']+\s+){0,3}?" + _EN_MED,
    ),
    (
        "en.med.allergy",
        "medication_error",
        r"\b(?:given|gave|prescribed|administered)\b[^.!?\n]{0,50}?\b(?:despite|although|"
        r"even\s+though|though)\b[^.!?\n]{0,40}?\ballerg(?:y|ic|ies)\b",
    ),
    (
        "en.med.error",
        "medication_error",
        r"\b(?:medication|drug|prescribing|dispensing|dosing|insulin)\s+(?:error|errors|mistake|"
        r"mistakes|incident|mix[-\s]?up)\b",
    ),
    # self-harm
    (
        "en.self.die",
        "self_harm",
        r"\b(?:want|wants|wanted|wanting|wish|wishes|wished|going|ready)\s+to\s+die\b|"
        r"\b(?:rather|better\s+off)\s+(?:be\s+|being\s+)?dead\b|"
        r"\bwish\s+(?:i|she|he)\s+(?:was|were)\s+dead\b",
    ),
    (
        "en.self.kill",
        "self_harm",
        r"\b(?:kill|killing|killed|kills)\s+(?:myself|herself|himself|themselves)\b",
    ),
    ("en.self.suicide", "self_harm", r"\bsuicid\w*"),
    (
        "en.self.own_life",
        "self_harm",
        r"\b(?:take|took|taking|end|ending|ended)\s+(?:my|her|his|their)\s+(?:own\s+)?life\b|"
        r"\bend\s+it\s+all\b",
    ),
    (
        "en.self.harm",
        "self_harm",
        r"\bself[-\s]?harm\w*|\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning|injure|"
        r"injuring)\s+myself\b|\b(?:cutting|harming|burning|starving)\s+(?:herself|himself|"
        r"themselves)\b|\bhurt(?:ing)?\s+(?:herself|himself)\s+(?:on\s+purpose|deliberately|"
        r"intentionally)\b",
    ),
    (
        "en.self.live",
        "self_harm",
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)\b|"
        r"\b(?:don't|do\s+not|doesn't|does\s+not|didn't)\s+want\s+to\s+(?:live|be\s+alive|"
        r"go\s+on|wake\s+up)\b|\bnot\s+worth\s+living\b",
    ),
)

EN_CONTEXTS: tuple[ContextSpec, ...] = (
    (
        "en.fp.autumn",
        ("fall",),
        r"\bfall\s+(?:menu|menus|season|colou?rs|leaves|festival|fair|fete|term|fashion|"
        r"collection|decor|decorations|foliage|weather|semester|programme|program|schedule|"
        r"lineup|newsletter|open\s+day|party|theme|bulb|bulbs|planting)\b|"
        r"\b(?:in|this|last|next|early|late|every)\s+(?:the\s+)?fall\b|\bfall\s+of\s+(?:19|20)\d\d\b",
    ),
    (
        "en.fp.fell_asleep",
        ("fall",),
        r"\b(?:fell|fall|falls|falling|fallen)\s+(?:fast\s+|straight\s+|sound\s+|back\s+)?asleep\b",
    ),
    (
        "en.fp.idiom",
        ("fall",),
        r"\b(?:fell|fall|falls|falling|fallen)\s+(?:in\s+love|behind|apart|through|short|silent|"
        r"ill|sick|into\s+place|into\s+line|out\s+with|on\s+deaf\s+ears|under|within|"
        r"over\s+(?:herself|himself|themselves|backwards))\b",
    ),
    (
        "en.fp.quantity",
        ("fall",),
        r"\b(?:prices?|fees?|costs?|charges?|rates?|numbers?|scores?|temperatures?|sales|shares?|"
        r"waiting\s+times?|levels?|admissions|complaints)\s+(?:have\s+|has\s+|had\s+)?"
        r"(?:\w+\s+)?(?:fell|fallen|fall|falling)\b",
    ),
    (
        "en.fp.nature",
        ("fall",),
        r"\b(?:leaves|snow|rain|night|darkness|silence|dusk)\s+(?:have\s+|has\s+|had\s+)?"
        r"(?:fell|fallen|falls|fall|falling)\b|\bfallen\s+leaves\b",
    ),
    (
        "en.fp.object",
        ("fall",),
        r"\b(?:remote|phone|glasses|cup|tray|book|picture|sign|tile|plate|bag|keys|card|letter|"
        r"lid|paperwork|post|curtain|blind|shelf)\s+(?:had\s+|has\s+)?(?:fell|fallen|falls)\b",
    ),
    (
        "en.fp.slipped_mind",
        ("fall",),
        r"\bslipped\s+(?:my|her|his|our|their)\s+minds?\b|\bslipped\s+through\b|"
        r"\bslipped\s+(?:out|away)\s+(?:to|for)\b",
    ),
    ("en.fp.ground_floor", ("fall",), r"\bground\s+floor\b"),
    (
        "en.fp.hit_spot",
        ("abuse", "injury"),
        r"\bhit\s+(?:the\s+spot|it\s+off|the\s+ground\s+running)",
    ),
    (
        "en.fp.slapped_fine",
        ("abuse",),
        r"\bslapped\s+with\s+(?:a|an)\s+(?:\w+\s+)?(?:fine|charge|ticket|bill|penalty)\b|"
        r"\bslap[-\s]up\b|\bkicked\s+(?:in|off)\b|\bkicking\s+off\b",
    ),
    (
        "en.fp.visitor_abuse",
        ("abuse",),
        r"\babus\w*\s+(?:\w+\s+){0,3}?from\s+(?:a|an|another|the|one)\s+(?:\w+\s+)?(?:visitor|"
        r"visitors|driver|caller|member\s+of\s+the\s+public|neighbour)\b|"
        r"\babus\w*\s+(?:\w+\s+){0,6}?about\s+(?:the\s+)?(?:parking|car\s+park|parking\s+fees?)\b",
    ),
    (
        "en.fp.abuse_of_system",
        ("abuse",),
        r"\b(?:drug|alcohol|substance|solvent)\s+abuse\b|\babus\w*\s+(?:of\s+)?(?:the|this|our)\s+"
        r"(?:system|policy|privilege|process|complaints\s+process)\b",
    ),
    (
        "en.fp.push_chair",
        ("abuse",),
        r"\bpush\w*\s+(?:her|his|him|my\s+\w+'s|the)\s+(?:wheelchair|chair|bed|trolley|walker|"
        r"frame|pram|buggy)\b",
    ),
    (
        "en.fp.mock",
        ("abuse",),
        r"\bmock(?:ed|ing)?\s+(?:up|exam|inspection|drill|tudor)\b",
    ),
    (
        "en.fp.burnt_food",
        ("injury",),
        r"\b(?:toast|food|coffee|dinner|meal|rice|pan|porridge|sausages?|bacon|chips|lasagne|pie|"
        r"cake|gravy)\s+(?:was\s+|were\s+|is\s+|got\s+)?(?:\w+\s+)?(?:burnt|burned)\b|"
        r"\b(?:burnt|burned)\s+(?:toast|food|coffee|sausages?|bacon|offering)\b|"
        r"\b(?:burnt|burned|burn|burning)\s+out\b",
    ),
    (
        "en.fp.wound_up",
        ("injury",),
        r"\bwound\s+(?:up|down|us\s+up|me\s+up|him\s+up|her\s+up|the\s+(?:clock|watch))\b",
    ),
    (
        "en.fp.hurt_feelings",
        ("injury",),
        r"\bhurt\s+(?:her|his|my|their)\s+(?:feelings|pride)\b|\bhurt\s+(?:that|by\s+what|"
        r"by\s+the\s+way|by\s+(?:his|her|their)\s+(?:words|comments|tone|attitude))\b",
    ),
    (
        "en.fp.neglected_to",
        ("neglect",),
        r"\bneglected\s+to\s+(?:mention|tell|inform|say|explain|send|return|reply|answer|update|"
        r"call|ring|let)\b",
    ),
    (
        "en.fp.nobody_event",
        ("neglect",),
        r"\b(?:no\s*one|nobody)\s+(?:\w+\s+)?(?:came|come)\s+to\s+(?:the\s+|our\s+)?(?:meeting|"
        r"event|party|open\s+day|concert|talk|quiz|fundraiser)\b|\b(?:no\s*one|nobody)\s+"
        r"(?:\w+\s+)?(?:answered|responded)\s+(?:to\s+)?(?:the|my|our)\s+(?:phone|telephone|"
        r"switchboard|door|email|emails|letter|letters)\b",
    ),
    (
        "en.fp.unattended_items",
        ("neglect",),
        r"\b(?:bags?|luggage|belongings|items|cars?|vehicles?|property)\s+(?:\w+\s+)?"
        r"(?:left\s+)?unattended\b",
    ),
    ("en.fp.to_die_for", ("self_harm",), r"\bto\s+die\s+for\b"),
)

# ---------------------------------------------------------------------------------------------
# Spanish
# ---------------------------------------------------------------------------------------------

ES_RULES: tuple[RuleSpec, ...] = (
    # fall
    (
        "es.fall.caer",
        "fall",
        r"\b(?:se\s+(?:me\s+|le\s+|nos\s+|te\s+)?(?:cayo|cayeron|cae|caen|caia|caian|cayera|"
        r"cayese|ha\s+caido|han\s+caido|habia\s+caido)|caid[ao]s?|caerse|caer|cayendo|cayo|"
        r"cayeron)\b",
    ),
    (
        "es.fall.floor",
        "fall",
        r"\b(?:en|por|al|sobre|del)\s+el\s+suelo\b|\btirad[oa]\s+en\s+el\s+piso\b",
    ),
    (
        "es.fall.slip",
        "fall",
        r"\b(?:resbal(?:o|on|ado|ada|ar|arse|aba|ando)|tropez(?:o|aron|ado|ada|ar|ando)|"
        r"tropiezo)\b",
    ),
    # injury
    (
        "es.injury.bruise",
        "injury",
        r"\b(?:moreton(?:es)?|moratones?|hematomas?|cardenales|magulladur\w*|chichon(?:es)?|"
        r"rasgun\w*|aranaz\w*|golpes?\s+en\s+(?:la|el|las|los|su|sus)\s+\w+|"
        r"(?:brazos?|piernas?|cara|ojos?|manos?|munecas?|espalda)\s+(?:\w+\s+)?morad[oa]s?)\b",
    ),
    (
        "es.injury.wound",
        "injury",
        r"\b(?:herid[ao]s?|lesion(?:es)?|fractur\w*|sangr(?:e|ando|aba|ado|o|ar)|quemadur\w*|"
        r"quemad[oa]s?|se\s+(?:le\s+)?quemo|cortes?\s+en\s+(?:la|el|las|los|su|sus)|"
        r"puntos\s+de\s+sutura|traumatismo\w*|contusion\w*)\b",
    ),
    (
        "es.injury.broke",
        "injury",
        r"\b(?:se\s+(?:ha\s+|le\s+)?(?:rompio|roto|fracturo)|rot[oa])\s+(?:la|el)\s+(?:cadera|brazo|"
        r"muneca|pierna|tobillo|nariz|costilla|femur|hombro|dedo|mandibula|clavicula)\b",
    ),
    (
        "es.injury.hurt",
        "injury",
        r"\b(?:hizo|hicieron|hecho|hace|hacen)\s+dano\b|\blastim\w+",
    ),
    (
        "es.injury.pressure_sore",
        "injury",
        r"\b(?:ulceras?|llagas?|escaras?)\s+(?:por|de)\s+(?:presion|decubito)\b|\bescaras?\b|"
        r"\bllagas?\b",
    ),
    # abuse
    (
        "es.abuse.hit",
        "abuse",
        r"\b" + _ES_CLITIC + r"\s+(?:ha\s+|han\s+|habia\s+|habian\s+)?(?:pego|pegaron|pegaba|"
        r"pegaban|pegan|pega|pegado|golpeo|golpearon|golpeaba|golpean|golpeado|empujo|empujaron|"
        r"empujaba|empujan|empujado|zarandeo|zarandearon|zarandean|abofeteo|abofetearon|agarro|"
        r"agarraron|agarraban|agarran|pellizco|pellizcaron|pellizcan|arrastro|arrastraron|"
        r"arrastraban)\b|\b(?:pego|pegaron|golpeo|golpearon|empujo|empujaron|zarandeo|"
        r"zarandearon|abofeteo|abofetearon|agarro|agarraron|maltrato|maltrataron)\s+a\s+"
        r"(?:mi|su|un|una|la|el|los|las|otro|otra)\b",
    ),
    (
        "es.abuse.blow",
        "abuse",
        r"\b(?:bofetad\w*|tortazos?|cachetad\w*|punetazos?|patadas?|empujon(?:es)?|"
        r"zarandead\w*|golpiz\w*|palizas?)\b",
    ),
    (
        "es.abuse.verbal",
        "abuse",
        r"\b" + _ES_CLITIC + r"\s+(?:ha\s+|han\s+)?(?:grito|gritaron|gritaba|gritaban|gritan|grita|"
        r"gritado|insulto|insultaron|insultaba|insultaban|insultan|insulta|insultado|humillo|"
        r"humillaron|humillan|humilla|humillado|amenazo|amenazaron|amenazan|amenaza|amenazado|"
        r"chillo|chillaron|chillan|ridiculiz\w*|trata\w*\s+(?:fatal|a\s+gritos))\b|"
        r"\b(?:la|lo|le)\s+llam\w+\s+(?:inutil|tont[oa]|estupid[oa]|viej[oa]|guarr[oa]|cerd[oa]|"
        r"loc[oa]|pesad[oa]|sucia?o?)\b|\bse\s+burl\w+\s+de\b|\ba\s+gritos\b",
    ),
    (
        "es.abuse.word",
        "abuse",
        r"\b(?:maltrat\w*|malos\s+tratos|abus(?:o|os|ar|aron|aba|ado|ada|ivo|iva|ivos|ivas)|"
        r"vejaci\w*|humillaci\w*|humillad[oa]s?|agresi(?:on|ones)|agredi\w*|tocamientos|"
        r"atad[ao]s?\s+a\s+la\s+(?:cama|silla)|(?:la|lo)\s+ataron)\b",
    ),
    # neglect
    (
        "es.neglect.nobody",
        "neglect",
        r"\bnadie\s+(?:\w+\s+){0,2}?(?:vino|venia|viene|vinieron|viniera|acudio|acudia|acude|"
        r"acudiera|contesto|contestaba|respondio|respondia|ayudo|ayudaba|cambio|cambiaba|"
        r"cambiara|atendio|atendia|atiende|movio|lavo|ducho|paso|pasaba|pasara|se\s+dio\s+cuenta|"
        r"se\s+acerco|hizo\s+caso|dio\s+de\s+(?:comer|beber)|daba\s+de\s+(?:comer|beber)|"
        r"dio\s+agua)\b",
    ),
    (
        "es.neglect.soiled",
        "neglect",
        r"\b(?:panal\w*\s+(?:\w+\s+)?(?:sucio|mojado|lleno|empapado)|suci[oa]\s+de\s+"
        r"(?:orina|heces)|(?:sabanas|cama|ropa)\s+(?:\w+\s+)?(?:mojadas?|sucias?|orinadas?|"
        r"empapadas?)|empapad[oa]\s+en\s+orina|en\s+sus\s+(?:heces|excrementos|orines)|"
        r"orinad[oa])\b",
    ),
    (
        "es.neglect.left",
        "neglect",
        r"\b(?:dejad[oa]s?|dejaron|deja|dejan|dejaba|dejaban|dejo)\s+(?:\w+\s+){0,3}?"
        r"(?:sol[oa]s?|sin\s+(?:comer|beber|agua|cambiar|asear|lavar|atender|medicacion)|"
        r"en\s+(?:la\s+cama\s+)?(?:sus\s+)?(?:heces|orines|orina)|tirad[oa])\b",
    ),
    (
        "es.neglect.word",
        "neglect",
        r"\b(?:abandonad[oa]s?\s+(?:en|durante|toda|todo|sin|a\s+su)|(?:la|lo|los|las|le|les)\s+"
        r"(?:han\s+|habian\s+|tienen\s+)?abandonad\w*|desatendid\w*|descuidad[oa]s?|"
        r"deshidratad\w*|deshidratacion|desnutrid\w*|desnutricion|negligencia\w*|negligente\w*|"
        r"no\s+(?:le|la|lo|les)\s+(?:daban|dieron|dan|dio)\s+(?:de\s+comer|de\s+beber|agua|"
        r"la\s+comida|la\s+cena)|sin\s+(?:comer|beber)\s+(?:en\s+)?(?:todo|toda|durante|\d+|dos|"
        r"tres)|no\s+(?:la|lo|le)\s+(?:movian|movieron|cambiaban|cambiaron|lavaban|lavaron|"
        r"aseaban|asearon|giraban|levantaban|atendian|atendieron))\b",
    ),
    (
        "es.neglect.bell",
        "neglect",
        r"\btimbre\b[^.!?\n]{0,60}?\bnadie\b|\bnadie\b[^.!?\n]{0,30}?\btimbre\b|"
        r"\btimbre\s+(?:\w+\s+)?(?:fuera\s+de\s+(?:su\s+)?alcance|sin\s+respuesta)\b",
    ),
    (
        "es.neglect.pressure_sore",
        "neglect",
        r"\b(?:ulceras?|llagas?|escaras?)\s+(?:por|de)\s+(?:presion|decubito)\b|\bescaras?\b",
    ),
    # medication error
    (
        "es.med.wrong",
        "medication_error",
        r"\b" + _ES_MED + r"\s+(?:\w+\s+)?(?:equivocad[oa]s?|incorrect[oa]s?|erroneas?|erroneos?)"
        r"\b|\b(?:medicacion|pastillas?|medicamentos?|dosis|tratamiento|insulina)\s+de\s+otr[oa]"
        r"\s+(?:paciente|residente|persona|enfermo|senora?)\b|\berror(?:es)?\s+(?:de|en\s+la|"
        r"con\s+la|con\s+su|en\s+su)\s+(?:medicacion|dosis|tratamiento|pauta|administracion)\b|"
        r"\bse\s+equivocaron\s+de\s+(?:medicacion|pastillas|dosis|paciente)\b",
    ),
    (
        "es.med.double",
        "medication_error",
        r"\b(?:dosis\s+doble|doble\s+dosis|(?:dos|tres)\s+veces\s+la\s+(?:dosis|medicacion|"
        r"pastilla)|sobredosis|dosis\s+(?:excesiva|de\s+mas)|demasiad[oa]\s+(?:insulina|morfina|"
        r"medicacion))\b",
    ),
    (
        "es.med.missed",
        "medication_error",
        r"\b(?:se\s+)?olvid\w+\s+(?:de\s+)?(?:\w+\s+){0,3}?" + _ES_MED + r"\b|"
        r"\bno\s+(?:le|se\s+la|se\s+las|se\s+lo)\s+(?:dieron|dio|daban|pusieron|puso|"
        r"administraron|administro)\s+(?:la|las|su|sus|el|los)\s+(?:\w+\s+)?" + _ES_MED + r"\b|"
        r"\bsin\s+(?:su|sus|la|las)\s+(?:\w+\s+)?" + _ES_MED + r"\s+(?:durante|en|todo|toda)\b",
    ),
    (
        "es.med.allergy",
        "medication_error",
        r"\b(?:dieron|dio|administraron|administro|pusieron|puso|recetaron)\b[^.!?\n]{0,60}?"
        r"\balergic[oa]s?\b|\balergic[oa]s?\b[^.!?\n]{0,40}?\b(?:dieron|administraron|"
        r"pusieron)\b",
    ),
    # self-harm
    (
        "es.self.die",
        "self_harm",
        r"\b(?:quiero|quiere|queria|quisiera|desea|deseo|quieres)\s+(?:morir|morirme|morirse)\b|"
        r"\bojala\s+(?:me\s+muera|se\s+muera|estuviera\s+muert[oa]|no\s+despertar)\b",
    ),
    (
        "es.self.live",
        "self_harm",
        r"\bno\s+(?:quiero|quiere|queria|quisiera|desea)\s+(?:seguir\s+)?vivir\b|"
        r"\bno\s+(?:vale|merece)\s+la\s+pena\s+(?:seguir\s+)?vivir\b|\bsin\s+ganas\s+de\s+vivir\b",
    ),
    (
        "es.self.kill",
        "self_harm",
        r"\b(?:matarme|matarse|me\s+voy\s+a\s+matar|se\s+va\s+a\s+matar|(?:quitarme|quitarse)\s+"
        r"la\s+vida|se\s+quito\s+la\s+vida|acabar\s+con\s+(?:todo|mi\s+vida|su\s+vida))\b",
    ),
    (
        "es.self.harm",
        "self_harm",
        r"\b(?:suicid\w*|autoles\w*|hacerme\s+dano|hacerse\s+dano|(?:cortarse|cortarme)\s+las\s+"
        r"venas|se\s+corta\s+(?:los\s+brazos|las\s+munecas))\b",
    ),
)

ES_CONTEXTS: tuple[ContextSpec, ...] = (
    (
        "es.fp.caida_sistema",
        ("fall",),
        r"\bcaid[ao]s?\s+(?:del|de\s+la|de\s+los|de\s+las|de)\s+(?:sistema|red|linea|conexion|"
        r"servidor|internet|web|pagina|precios?|bolsa|tension|presion|azucar|glucosa|pelo|"
        r"cabello|tarde|noche|sol|telon|ventas|llamada|luz)\b",
    ),
    (
        "es.fp.se_cayo_cosa",
        ("fall",),
        r"\b(?:se\s+(?:me\s+|le\s+|nos\s+|te\s+)?)?(?:cayo|cayeron|cae|caen|caia|ha\s+caido)\s+"
        r"(?:el|la|los|las|mi|mis|su|sus)\s+(?:sistema|llamada|linea|red|conexion|internet|web|"
        r"pagina|servidor|app|aplicacion|gafas|llaves|movil|telefono|bolso|cartera|vaso|bandeja|"
        r"mando|libro|alma|precio|precios)\b",
    ),
    (
        "es.fp.caer_idiom",
        ("fall",),
        r"\bcaer\s+la\s+(?:tarde|noche)\b|\bca(?:er|yo|e)\s+en\s+la\s+cuenta\b|"
        r"\bcaer\s+(?:bien|mal)\b",
    ),
    ("es.fp.como_nuevo", ("neglect",), r"\bdejad[oa]s?\s+como\s+nuev[oa]s?\b"),
    (
        "es.fp.pego_susto",
        ("abuse",),
        r"\b(?:pego|pegaron|pega|pegan)\s+(?:un|una|unos)\s+(?:susto|grito|salto|vistazo|repaso|"
        r"sueno|siesta)\b|\bpego\s+ojo\b",
    ),
    (
        "es.fp.precios_abusivos",
        ("abuse",),
        r"\b(?:precios?|tarifas?|cobros?|comisiones|clausulas?|parking|aparcamiento|intereses)\s+"
        r"(?:\w+\s+){0,4}?abusiv\w*",
    ),
    (
        "es.fp.sangre_analisis",
        ("injury",),
        r"\b(?:analisis|analitica|extraccion|prueba|pruebas|muestra|donacion|presion|azucar)\s+"
        r"de\s+sangre\b|\bsac\w*\s+sangre\b",
    ),
    (
        "es.fp.quemado_comida",
        ("injury",),
        r"\b(?:cafe|comida|pan|tostadas?|arroz|cena|pure|guiso|leche)\s+(?:\w+\s+)?quemad[oa]s?\b",
    ),
    (
        "es.fp.herida_sentimientos",
        ("injury",),
        r"\b(?:sintio|siente|sentia|sentimos|senti|se\s+sintio)\s+(?:\w+\s+)?herid[oa]s?\b",
    ),
    ("es.fp.golpe_suerte", ("injury",), r"\bgolpes?\s+de\s+(?:suerte|efecto|estado)\b"),
    (
        "es.fp.matarse_trabajar",
        ("self_harm",),
        r"\bmat(?:arse|arme|an|a|ando)\s+a\s+(?:trabajar|estudiar)\b",
    ),
    (
        "es.fp.acabar_tramite",
        ("self_harm",),
        r"\bacabar\s+con\s+todo\s+(?:el|este|esto|ese)\s+(?:papeleo|proceso|tramite|asunto|lio)\b",
    ),
    (
        "es.fp.nadie_telefono",
        ("neglect",),
        r"\bnadie\s+(?:\w+\s+)?(?:contesto|contestaba|respondio|respondia)\s+(?:al|el|a\s+mis|"
        r"mis)\s+(?:telefono|correo|correos|email|emails|mensajes)\b",
    ),
)

# ---------------------------------------------------------------------------------------------
# Italian
# ---------------------------------------------------------------------------------------------

IT_RULES: tuple[RuleSpec, ...] = (
    # fall
    (
        "it.fall.cadere",
        "fall",
        r"\b(?:cadut[oaie]|cade|cadono|cadeva|cadevano|cadere|cadendo|cadra|cascat[oaie])\b",
    ),
    ("it.fall.floor", "fall", r"\b(?:per|a)\s+terra\b"),
    (
        "it.fall.slip",
        "fall",
        r"\b(?:scivolat[oaie]|scivola|scivolando|scivolare|inciampat[oaie]|inciampa|inciampando|"
        r"inciampare)\b",
    ),
    # injury
    (
        "it.injury.bruise",
        "injury",
        r"\b(?:livid[oi]|ematom[ai]|ecchimos[ie]|bernoccol[oi]|graffi|graffio|"
        r"escoriazion[ei]|contusion[ei]|tumefatt[oa])\b",
    ),
    (
        "it.injury.wound",
        "injury",
        r"\b(?:ferit[ae]|ferito|feriti|lesion[ei]|frattur\w*|sanguin\w*|sangue|ustion[ei]|"
        r"ustionat[oaie]|bruciatur[ae]|scottatur[ae]|scottat[oaie]|(?:taglio|tagli)\s+"
        r"(?:sul|sulla|alla|al|in)\s+(?:testa|fronte|mano|braccio|gamba|viso|faccia|dito|piede|"
        r"labbro)|punti\s+di\s+sutura|trauma\s+cranico)\b",
    ),
    (
        "it.injury.broke",
        "injury",
        r"\b(?:si\s+e\s+rott[oa]|rott[oa])\s+(?:il|la|l')\s*(?:femore|anca|polso|braccio|gamba|"
        r"caviglia|naso|costola|spalla|dito)\b",
    ),
    (
        "it.injury.hurt",
        "injury",
        r"\b(?:si\s+e|mi\s+sono|si\s+era|si\s+sono|ti\s+sei)\s+fatt[oaie]\s+(?:molto\s+)?male\b|"
        r"(?:\b(?:le|gli)\s+|\bl')(?:ha|hanno|avevano|aveva)\s+fatto\s+(?:del\s+)?male\b",
    ),
    (
        "it.injury.pressure_sore",
        "injury",
        r"\b(?:piag(?:a|he)\s+da\s+decubito|lesion[ei]\s+da\s+(?:pressione|decubito)|"
        r"decubit[oi])\b",
    ),
    # abuse
    (
        "it.abuse.hit",
        "abuse",
        r"\b(?:picchiat[oaie]|picchia|picchiano|picchiava|picchiavano|schiaff\w*|strattonat[oaie]|"
        r"strattona\w*|spintonat[oaie]|spinton\w*|percoss[ae]|malmenat\w*|botte|sberl\w*|"
        r"ceffon\w*|calci|pugni)\b",
    ),
    (
        "it.abuse.handled",
        "abuse",
        r"(?:\b(?:la|lo|li|le|gli|mi|ci)\s+|\bl')(?:ha|hanno|aveva|avevano)\s+(?:spint[oaie]|"
        r"colpit[oaie]|afferrat[oaie]|tirat[oaie]\s+per|trascinat[oaie]|scoss[oaie])\b",
    ),
    (
        "it.abuse.verbal",
        "abuse",
        r"\b(?:urlat[oaie]|urla(?:va|vano|no)?|gridat[oaie]|grida(?:va|vano|no)?|sbraitat\w*|"
        r"inveit\w*)\s+(?:\w+\s+)?(?:contro|addosso|a\s+(?:mia|mio|mie|miei|sua|suo|un|una|gli|"
        r"le|i)|con\s+(?:lei|lui|mia|mio))\b|\b(?:insult\w*|offes[oaie]|offend\w*|deris\w*|"
        r"umiliat\w*|umilia(?:no|va|vano)?|umiliazion\w*|minacc\w*|prend\w+\s+in\s+giro|"
        r"pres[oaie]\s+in\s+giro|alza\w*\s+la\s+voce\s+(?:con|contro)|alzat[oa]\s+la\s+voce)\b|"
        r"(?:\b(?:la|lo|li|le)\s+|\bl')(?:ha|hanno)\s+chiamat[oaie]\s+(?:\w+\s+)?(?:stupid|scem|"
        r"cretin|vecchi|sporc|inutil|idiot|rompiscatole|pazz|matt)\w*",
    ),
    (
        "it.abuse.word",
        "abuse",
        r"\b(?:maltratt\w*|abus(?:o|i|ato|ata|ati|ate|are|ando|ivo|iva|ivi|ive|ivamente)|"
        r"violenz\w*|aggredit\w*|aggression\w*|legat[oaie]\s+(?:al|alla)\s+(?:letto|sedia|"
        r"carrozzina)|contenzion\w*|molestie|molestat\w*|palpeggi\w*)\b",
    ),
    # neglect
    (
        "it.neglect.nobody",
        "neglect",
        r"\bnessuno\s+(?:\w+\s+){0,2}?(?:e\s+venut[oa]|venuto|venne|veniva|viene|e\s+passat[oa]|"
        r"passava|ha\s+risposto|rispondeva|risponde|l'ha\s+(?:aiutat|cambiat|lavat|girat|"
        r"controllat|imboccat|alzat)[oa]|ha\s+aiutato|aiutava|cambiava|ha\s+cambiato|"
        r"(?:le|gli)\s+ha\s+dato\s+(?:da\s+mangiare|da\s+bere|acqua|l'acqua)|"
        r"si\s+e\s+accort[oa]|se\s+ne\s+e\s+accort[oa]|se\s+n'e\s+accort[oa]|controllava|"
        r"ha\s+controllato)\b",
    ),
    (
        "it.neglect.left",
        "neglect",
        r"\blasciat[oaie]\s+(?:\w+\s+){0,2}?(?:sol[oaie]\b|per\s+ore\b|senza\s+(?:mangiare|bere|"
        r"acqua|cibo|assistenza|cambio|essere\s+cambiat[oa])\b|nel(?:la|le|lo)?\s+(?:sua\s+|"
        r"propria\s+)?(?:pannolone|pannolino|feci|urina|sporco|letto\s+bagnato|sporcizia)\b|"
        r"sporc[oaie]\b|bagnat[oaie]\b)|\b(?:la|lo|li|le)\s+lascia(?:no|vano|va)\s+sol[oaie]\b",
    ),
    (
        "it.neglect.soiled",
        "neglect",
        r"\b(?:pannolon[ei]\s+(?:\w+\s+)?(?:sporc|pien|bagnat|zupp)\w*|sporc[oaie]\s+di\s+"
        r"(?:feci|urina|pipi)|nelle\s+(?:sue\s+|proprie\s+)?(?:feci|urine)|lenzuola\s+(?:\w+\s+)?"
        r"(?:sporche|bagnate))",
    ),
    (
        "it.neglect.word",
        "neglect",
        r"\b(?:disidratat\w*|disidratazione|denutrit\w*|denutrizione|malnutrit\w*|malnutrizione|"
        r"abbandonat[oaie]|trascurat[oaie]|incuria|negligen\w*|"
        r"non\s+(?:la|lo|li|le)\s+(?:giravano|cambiavano|lavavano|mobilizzavano|imboccavano|"
        r"alzavano)|non\s+(?:l'|la\s+|lo\s+|li\s+|le\s+|gli\s+)?(?:hanno\s+|avevano\s+)?"
        r"(?:mai\s+)?(?:cambiat[oaie]|lavat[oaie]|girat[oaie]|mobilizzat[oaie]|imboccat[oaie])|"
        r"senza\s+(?:mangiare|bere)\s+per)\b",
    ),
    (
        "it.neglect.bell",
        "neglect",
        r"\bcampanell\w*\b[^.!?\n]{0,60}?\bnessuno\b|\bnessuno\b[^.!?\n]{0,40}?\bcampanell\w*|"
        r"\bcampanell\w*\s+(?:\w+\s+)?(?:fuori\s+portata|irraggiungibile)",
    ),
    (
        "it.neglect.pressure_sore",
        "neglect",
        r"\b(?:piag(?:a|he)\s+da\s+decubito|lesion[ei]\s+da\s+(?:pressione|decubito))\b",
    ),
    # medication error
    (
        "it.med.wrong",
        "medication_error",
        r"\b" + _IT_MED + r"\s+(?:\w+\s+)?(?:sbagliat[oaie]|errat[oaie])\b|\b" + _IT_MED + r"\s+"
        r"(?:di|destinat[oaie]\s+a|per)\s+un(?:'|\s+)?altr[oa]\s+(?:paziente|ospite|degente|"
        r"persona|signor[ae]?)\b|\berror[ei]\s+(?:di|nella|nel|della|nelle)\s+(?:terapi\w*|"
        r"somministrazion\w*|farmac\w*|dosaggio|dose)\b|\bscambiat[oaie]\s+(?:le|la|i|il)\s+"
        + _IT_MED,
    ),
    (
        "it.med.double",
        "medication_error",
        r"\b(?:doppia\s+dose|dose\s+doppia|(?:due|tre)\s+volte\s+la\s+(?:dose|terapia|pastiglia)|"
        r"sovradosaggio|overdose|dose\s+eccessiva|troppa\s+(?:insulina|morfina))\b",
    ),
    (
        "it.med.missed",
        "medication_error",
        r"\b(?:dimenticat[oaie]|dimentica\w*)\s+(?:di\s+)?(?:\w+\s+){0,3}?" + _IT_MED + r"\b|"
        r"(?:\bnon\s+(?:le|gli)\s+|\bnon\s+l')(?:hanno|ha|avevano|aveva)\s+(?:dato|somministrato|"
        r"messo|fatto)\s+(?:\w+\s+){0,2}?" + _IT_MED + r"\b|\b(?:saltat[oaie]|saltare|salta\w*)\s+"
        r"(?:\w+\s+)?" + _IT_MED + r"\b|\b" + _IT_MED + r"\s+(?:\w+\s+){0,2}?(?:saltat[oaie]|"
        r"dimenticat[oaie]|non\s+somministrat[oaie]|mai\s+somministrat[oaie])\b",
    ),
    (
        "it.med.allergy",
        "medication_error",
        r"\b(?:dat[oaie]|somministrat[oaie]|prescritt[oaie])\b[^.!?\n]{0,60}?\ballergic[oaie]\b|"
        r"\ballergic[oaie]\b[^.!?\n]{0,40}?\b(?:somministrat[oaie]|dat[oaie])\b",
    ),
    # self-harm
    (
        "it.self.die",
        "self_harm",
        r"\b(?:voglio|vuole|vorrei|vorrebbe|volevo|voleva|vuoi)\s+morire\b|\bmeglio\s+mort[oa]\b|"
        r"\bpreferire\w*\s+essere\s+mort[oa]\b",
    ),
    ("it.self.finish", "self_harm", r"\bfarla\s+finita\b|\bfarlo\s+finita\b"),
    (
        "it.self.kill",
        "self_harm",
        r"\b(?:togliermi|togliersi|toglie|tolto|tolta|tolse)\s+la\s+vita\b|\b(?:uccidermi|"
        r"uccidersi|ammazzarmi|ammazzarsi|mi\s+ammazzo|mi\s+uccido|si\s+ammazza|si\s+uccide)\b",
    ),
    (
        "it.self.harm",
        "self_harm",
        r"\b(?:suicid\w*|autolesion\w*|(?:farmi|farsi|mi\s+faccio|si\s+fa|si\s+faceva|"
        r"mi\s+facevo)\s+del\s+male)\b",
    ),
    (
        "it.self.live",
        "self_harm",
        r"\bnon\s+(?:voglio|vuole|vorrei)\s+(?:piu\s+)?vivere\b|\bnon\s+ha\s+(?:piu\s+)?senso\s+"
        r"vivere\b",
    ),
)

IT_CONTEXTS: tuple[ContextSpec, ...] = (
    (
        "it.fp.caduta_linea",
        ("fall",),
        r"\b(?:cadut[oaie]|cade|cadono|cadeva)\s+(?:del|della|dei|delle|degli|dello|il|la|le|i|"
        r"lo|gli|l')\s*(?:prezz\w*|linea|linee|connession\w*|rete|sistema|server|sito|chiamat\w*|"
        r"telefonat\w*|capelli|governo|borsa|tension\w*|pressione|temperatur\w*|telefono|"
        r"cellulare|occhiali|chiavi|vassoio|bicchiere|borsa|portafoglio|piatto|foglie)\b",
    ),
    (
        "it.fp.cadono_cose",
        ("fall",),
        r"\b(?:foglie|prezzi|tassi|costi|temperature)\s+(?:\w+\s+)?(?:cadono|cadevano|cade|"
        r"sono\s+cadut[ie])\b",
    ),
    (
        "it.fp.cadere_idiom",
        ("fall",),
        r"\bcade\s+a\s+fagiolo\b|\bcad\w*\s+nel\s+vuoto\b|\bcadere\s+dal\s+sonno\b|"
        r"\bcade\s+(?:di|il)\s+(?:lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica)\b",
    ),
    (
        "it.fp.terra",
        ("fall",),
        r"\bpian(?:o|i)\s+terra\b|\bpiedi\s+per\s+terra\b|\bmess[oa]\s+a\s+terra\b",
    ),
    (
        "it.fp.colpito_positivo",
        ("abuse",),
        r"\b(?:mi|ci)\s+(?:ha|hanno)\s+colpit[oaie]\s+(?:molto\s+|tanto\s+|positivamente\s+)?"
        r"(?:la|il|lo|l'|le|i|gli|per|come|quanto|positivamente|molto|tanto)",
    ),
    (
        "it.fp.abusivo",
        ("abuse",),
        r"\b(?:parcheggi\w*|posteggiator\w*|venditor\w*|ambulant\w*|tassist\w*|costruzion\w*|"
        r"edilizi\w*|occupazion\w*|lavori|prezzi|tariff\w*)\s+(?:\w+\s+)?abusiv\w*|"
        r"\babusivamente\s+parcheggiat\w*",
    ),
    ("it.fp.calci_rigore", ("abuse",), r"\bcalci\s+(?:di\s+rigore|d'angolo|di\s+punizione)\b"),
    ("it.fp.livido_rabbia", ("injury",), r"\blivid[oa]\s+di\s+rabbia\b"),
    (
        "it.fp.sangue_esami",
        ("injury",),
        r"\b(?:esami|analisi|prelievo|prelievi|esame|pressione|zucchero|glicemia|donare|"
        r"donazione|trasfusion\w*|gruppo|valori)\s+(?:del\s+|di\s+|nel\s+|il\s+)?"
        r"(?:sangue|sanguign\w*)\b",
    ),
    (
        "it.fp.ferita_sentimenti",
        ("injury",),
        r"\bsentit[oaie]\s+(?:\w+\s+)?ferit[oaie]\b|\bferit[oa]\s+nell'orgoglio\b",
    ),
    (
        "it.fp.tagli_personale",
        ("injury",),
        r"\btagli?o?\s+(?:al|del|nel|ai|dei)\s+(?:personale|budget|bilancio|servizi|costi|fondi)\b",
    ),
    (
        "it.fp.farla_finita_con",
        ("self_harm",),
        r"\bfarla\s+finita\s+con\s+(?!la\s+vita|tutto)",
    ),
    ("it.fp.ammazzarsi_lavoro", ("self_harm",), r"\bammazzarsi\s+di\s+(?:lavoro|fatica)\b"),
    (
        "it.fp.abbandonato_luogo",
        ("neglect",),
        r"\b(?:ho|abbiamo|ha|hanno)\s+abbandonat[oa]\s+(?:il|la|lo|l')\s*(?:reparto|ospedale|"
        r"struttura|sala|stanza|pronto|idea|progetto|speranza)",
    ),
    (
        "it.fp.dettaglio_trascurato",
        ("neglect",),
        r"\b(?:dettagli\w*|particolar\w*|aspett\w*)\s+(?:\w+\s+)?trascurat\w*",
    ),
    (
        "it.fp.nessuno_telefono",
        ("neglect",),
        r"\bnessuno\s+(?:\w+\s+)?(?:ha\s+risposto|rispondeva|risponde)\s+(?:al|alle|alla)\s+"
        r"(?:telefono|mail|email|centralino|lettere)\b",
    ),
)

RULES: Mapping[str, tuple[RuleSpec, ...]] = {"en": EN_RULES, "es": ES_RULES, "it": IT_RULES}
CONTEXTS: Mapping[str, tuple[ContextSpec, ...]] = {
    "en": EN_CONTEXTS,
    "es": ES_CONTEXTS,
    "it": IT_CONTEXTS,
}

# ---------------------------------------------------------------------------------------------
# Negation and language detection
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATORS: Mapping[str, frozenset[str]] = {
    "en": _words(
        "no not never nobody none neither nor without noone cannot didnt dont doesnt wasnt "
        "werent hasnt havent hadnt isnt cant couldnt wouldnt"
    ),
    "es": _words("no ni nunca jamas sin nadie ningun ninguno ninguna tampoco"),
    "it": _words("non mai senza nessun nessuno nessuna niente nulla"),
}
# Words that start a new clause: a negation before them does not reach the cue after them.
CLAUSE_BREAKERS: Mapping[str, frozenset[str]] = {
    "en": _words(
        "but however although though yet because so how why when where whether if that until "
        "before after while"
    ),
    "es": _words("pero sino aunque porque como cuando donde que mientras hasta"),
    "it": _words("ma pero anche perche come quando dove che mentre finche"),
}
NEGATION_WINDOW: Mapping[str, int] = {"en": 3, "es": 2, "it": 2}

STOPWORDS: Mapping[str, frozenset[str]] = {
    "en": _words(
        "the and was were she he her his my mum mom dad is it to of with not nobody they this "
        "that very for on at had have been after when staff nurse i we our you from would "
        "there all what which about just"
    ),
    "es": _words(
        "el los las y que del muy pero mi su mis sus por para les nadie fue esta estaba "
        "han cuando porque como hay sin nos tambien todo toda dijo quiero quiere es "
        "ella este esa desde ningun ninguna"
    ),
    "it": _words(
        "il gli che di della dello delle dei degli nel nella mia mio per non nessuno sono "
        "stata stato hanno anche perche quando molto ma ci ed alla dal dalla sua suo "
        "voglio vuole questo questa tutto tutta"
    ),
}
