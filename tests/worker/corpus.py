"""Free-text answers written for the tests: three planted topics and some empty answers."""

BUSES = [
    "More buses to the hospital please, the last one leaves far too early",
    "The bus service from the villages is hopeless on a Sunday",
    "Cheaper bus fares for young people going to college",
    "Buses never turn up on time and the timetable is a joke",
    "A direct bus to the hospital would help older people",
    "bus fares are too dear for families",
    "Evening buses so folk can get home from work",
    "The 42 bus was cut and now I cannot get to the shops",
    "Reliable buses, that is all we ask",
    "More buses",
    "More buses",
]
POTHOLES = [
    "Fix the potholes on the main road before someone gets hurt",
    "The roads are full of potholes and the pavements are broken",
    "Potholes everywhere, my car tyre burst last month",
    "Resurface the roads instead of patching the potholes",
    "Pavements and roads need repairing, potholes are dangerous for cyclists",
    "the potholes on station road are a disgrace",
    "Road repairs, especially the potholes near the school",
    "Sort the roads out, too many potholes",
]
YOUTH = [
    "A youth club so teenagers have somewhere to go at night",
    "Nothing for young people to do, bring back the youth club",
    "Things for teenagers to do, a skate park or youth club",
    "Youth workers and a drop in centre for young people",
    "The kids hang about the streets because there is no youth club",
    "Activities for young people in the holidays",
    "Open the youth club more than one night a week",
    "Somewhere safe for young people to meet their friends",
]
EMPTY = ["n/a", "no", "Nothing really", "don't know"]

ANSWERS = BUSES + POTHOLES + YOUTH + EMPTY
