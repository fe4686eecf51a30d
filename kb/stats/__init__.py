"""The catalogue's figures: sums of the published cases' declared quantities (tonnes of recycled
tyre material, tyres, km, m2) counted by SQL over the database, by application, material, country
and year, with the search's filters; the same split by scope (one work, or a programme's total
over many); their page, charts (server-made SVG), CSV files, an embeddable figure and the JSON
API."""
