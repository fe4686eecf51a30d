"""The catalogue's figures: sums of the published cases' declared quantities (tonnes of recycled
tyre material, tyres, km, m2) counted by SQL over the database, by application, material, country
and year, with the search's filters; national and regional totals kept apart from project sums;
their page, charts (server-made SVG), CSV files, an embeddable figure and the JSON API."""
