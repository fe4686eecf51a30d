"""Cases whose figures are national or regional totals, not one project.

A scheme's yearly report (SIGNUS, Recytyre, Aliapur), a country's statistics or a regional
campaign adds up many works, some of which the catalogue lists on their own: adding its tonnes to
the projects' would count them twice and swamp them (SIGNUS 2023 alone declares 1,708 t, several
times every project together). The record format has no field that says so, so the ids are listed
here, each read from its own record (summary and description say what the figures cover); the
figures page shows them apart, unsummed. A `scope` field in the record would make this list
unnecessary (a schema change: a migration)."""

ROLLUP_IDS: frozenset[str] = frozenset(
    {
        "es-signus-2023-carreteras-polvo-neumatico",  # SIGNUS: Spain's roads in 2023
        "es-signus-2016-suelos-seguridad-parques-infantiles",  # SIGNUS: Spain's playgrounds 2016
        "it-campi-calcio-sintetici-gomma-pfu-2015",  # Ecopneus: Italy's pitches in 2015
        "it-ecopneus-km-asfalti-modificati-gomma",  # Ecopneus: Italy's km of roads 2011-2021
        "be-recytyre-2022-2023-granulats",  # Recytyre: Belgium's collection 2022-2023
        "fr-aliapur-valorisation-pneus-usages",  # Aliapur: France's yearly collection
        "si-izrabljene-gume-snovna-predelava-statistika",  # Slovenia's ELT statistics
        "gr-kaisariani-2022-anakyklosi-elastikon",  # a municipality's ELTs in 2022, by use
        "es-comunidad-de-madrid-carreteras-2009",  # Madrid region: a year's road campaign
        "pt-recipav-bmb-network",  # Portugal: about 250 km of roads, 1999-2006
        "pl-pzpo-apel-gumowy-asfalt-2021",  # Poland: the tyre industry's national overview
        "pl-orlik-2012-granulat-z-opon-modernizacja",  # Poland: a national pitch programme
        "gr-ecoelastika-programma-dapeda-asfaleias-scholeia",  # Greece: a scheme's programme
    }
)
