// ttkg example queries: paste them into Neo4j Browser or run `cypher-shell -f examples.cypher`.
//
// Every query ends with a semicolon. The `// expect:` line above a query is its result on the
// bundled sample (data/sample, built with `ttkg build`, pushed with `ttkg neo4j push`), one
// JSON object per row, in order. tests/neo4j/test_browser_kit.py runs each query on a real
// Bolt server and compares. Queries use only the portable Cypher core of Neo4j 5.

// 1. What is in the graph? Nodes per label (organisations: see 12).
// expect: [{"label": "Patent", "nodes": 15000}, {"label": "Country", "nodes": 249}, {"label": "CPCClass", "nodes": 47227}, {"label": "TechnologyField", "nodes": 40}]
MATCH (n:Patent) RETURN 'Patent' AS label, count(n) AS nodes
UNION ALL MATCH (n:Country) RETURN 'Country' AS label, count(n) AS nodes
UNION ALL MATCH (n:CPCClass) RETURN 'CPCClass' AS label, count(n) AS nodes
UNION ALL MATCH (n:TechnologyField) RETURN 'TechnologyField' AS label, count(n) AS nodes;

// 2. The five WIPO technology fields with the most patents.
// expect: [{"field": 8, "name": "Semiconductors", "patents": 2960}, {"field": 6, "name": "Computer technology", "patents": 2685}, {"field": 2, "name": "Audio-visual technology", "patents": 2528}, {"field": 9, "name": "Optics", "patents": 2202}, {"field": 1, "name": "Electrical machinery, apparatus, energy", "patents": 1288}]
MATCH (f:TechnologyField {level: 'field'})<-[:IN_FIELD]-(p:Patent)
RETURN f.number AS field, f.name AS name, count(p) AS patents
ORDER BY patents DESC, field
LIMIT 5;

// 3. Who holds the most patents in Semiconductors (WIPO field 8)?
// expect: [{"id": "org:samsung-display", "organisation": "Samsung Display Co., Ltd.", "country": "KR", "patents": 653}, {"id": "org:boe-technology-group", "organisation": "BOE TECHNOLOGY GROUP CO., LTD.", "country": "CN", "patents": 517}, {"id": "org:lg-display", "organisation": "LG Display Co., Ltd.", "country": "KR", "patents": 307}, {"id": "ror:020m7t761", "organisation": "Samsung Electronics (South Korea)", "country": "KR", "patents": 294}, {"id": "org:taiwan-semiconductor-manufacturing", "organisation": "Taiwan Semiconductor Manufacturing Company, Ltd.", "country": "TW", "patents": 154}]
MATCH (:TechnologyField {id: 'wipo:field:8'})<-[:IN_FIELD]-(p:Patent)-[:ASSIGNED_TO]->(o:Organization)
RETURN o.id AS id, o.name AS organisation, o.country AS country, count(DISTINCT p) AS patents
ORDER BY patents DESC, id
LIMIT 5;

// 4. Bridges: organisations active in both Semiconductors (8) and Optics (9), ranked by the
//    smaller of their two patent counts (as `ttkg query bridges` ranks direct bridges).
// expect: [{"id": "org:boe-technology-group", "organisation": "BOE TECHNOLOGY GROUP CO., LTD.", "semiconductors": 517, "optics": 690}, {"id": "org:samsung-display", "organisation": "Samsung Display Co., Ltd.", "semiconductors": 653, "optics": 422}, {"id": "org:lg-display", "organisation": "LG Display Co., Ltd.", "semiconductors": 307, "optics": 216}, {"id": "ror:020m7t761", "organisation": "Samsung Electronics (South Korea)", "semiconductors": 294, "optics": 123}, {"id": "org:beijing-boe-optoelectronics-technology", "organisation": "BEIJING BOE OPTOELECTRONICS TECHNOLOGY CO., LTD.", "semiconductors": 74, "optics": 153}]
MATCH (o:Organization)<-[:ASSIGNED_TO]-(p:Patent)-[:IN_FIELD]->(f:TechnologyField)
WHERE f.id IN ['wipo:field:8', 'wipo:field:9']
WITH o,
     count(DISTINCT CASE WHEN f.id = 'wipo:field:8' THEN p END) AS semiconductors,
     count(DISTINCT CASE WHEN f.id = 'wipo:field:9' THEN p END) AS optics
WHERE semiconductors > 0 AND optics > 0
RETURN o.id AS id, o.name AS organisation, semiconductors, optics
ORDER BY CASE WHEN semiconductors < optics THEN semiconductors ELSE optics END DESC,
         semiconductors + optics DESC, id
LIMIT 5;

// 5. University-company partnerships between Semiconductors (8) and Optics (9), as
//    `ttkg query bridges` finds them: a university and a company co-owning patents that are in
//    Semiconductors or in Optics, one of the two active in Semiconductors and the other in
//    Optics (a co-owned patent in a field makes both active there, so together they must hold
//    patents in both fields). shared counts their co-owned patents in Semiconductors or Optics,
//    shared_semiconductors and shared_optics those in each field.
// expect: [{"university": "Tsinghua University", "company": "Hon Hai Precision Industry Co., Ltd.", "shared": 22, "shared_semiconductors": 21, "shared_optics": 1}, {"university": "The University of Tokyo", "company": "FUJIFILM Corporation", "shared": 13, "shared_semiconductors": 13, "shared_optics": 0}, {"university": "Tokyo Institute of Technology", "company": "Canon (Japan)", "shared": 7, "shared_semiconductors": 7, "shared_optics": 0}, {"university": "National Chiao Tung University", "company": "Taiwan Semiconductor Manufacturing Company, Ltd.", "shared": 5, "shared_semiconductors": 5, "shared_optics": 0}, {"university": "Tsinghua University", "company": "Nuctech Company Limited", "shared": 4, "shared_semiconductors": 3, "shared_optics": 1}]
MATCH (u:Organization {kind: 'university'})<-[:ASSIGNED_TO]-(p:Patent)-[:ASSIGNED_TO]->(c:Organization {kind: 'company'}),
      (p)-[:IN_FIELD]->(f:TechnologyField)
WHERE f.id IN ['wipo:field:8', 'wipo:field:9']
WITH u, c, count(DISTINCT p) AS shared,
     count(DISTINCT CASE WHEN f.id = 'wipo:field:8' THEN p END) AS shared_semiconductors,
     count(DISTINCT CASE WHEN f.id = 'wipo:field:9' THEN p END) AS shared_optics
UNWIND [u, c] AS o
MATCH (o)<-[:ASSIGNED_TO]-(:Patent)-[:IN_FIELD]->(g:TechnologyField)
WHERE g.id IN ['wipo:field:8', 'wipo:field:9']
WITH u, c, shared, shared_semiconductors, shared_optics, count(DISTINCT g) AS fields
WHERE fields = 2
RETURN u.name AS university, c.name AS company, shared, shared_semiconductors, shared_optics
ORDER BY shared DESC, shared_semiconductors + shared_optics DESC, university, company
LIMIT 5;

// 6. Profile of Tsinghua University (ROR 03cve4549): its strongest technology fields.
// expect: [{"field": "Measurement", "patents": 73}, {"field": "Electrical machinery, apparatus, energy", "patents": 55}, {"field": "Medical technology", "patents": 42}, {"field": "Materials, metallurgy", "patents": 34}, {"field": "Micro-structural and nano-technology", "patents": 29}]
MATCH (:Organization {id: 'ror:03cve4549'})<-[:ASSIGNED_TO]-(p:Patent)-[:IN_FIELD]->(f:TechnologyField)
RETURN f.name AS field, count(DISTINCT p) AS patents
ORDER BY patents DESC, field
LIMIT 5;

// 7. Tsinghua's co-owners, with the number of shared patents.
// expect: [{"id": "org:hon-hai-precision-industry", "partner": "Hon Hai Precision Industry Co., Ltd.", "kind": "company", "shared": 99}, {"id": "org:nuctech", "partner": "Nuctech Company Limited", "kind": "company", "shared": 83}, {"id": "org:capitalbio", "partner": "CapitalBio Corporation", "kind": "company", "shared": 8}, {"id": "ror:00cmhce21", "partner": "Huawei Technologies (China)", "kind": "company", "shared": 5}, {"id": "org:beijing-visionox-technology", "partner": "BEIJING VISIONOX TECHNOLOGY CO., LTD.", "kind": "company", "shared": 4}]
MATCH (:Organization {id: 'ror:03cve4549'})<-[:ASSIGNED_TO]-(p:Patent)-[:ASSIGNED_TO]->(b:Organization)
RETURN b.id AS id, b.name AS partner, b.kind AS kind, count(DISTINCT p) AS shared
ORDER BY shared DESC, id
LIMIT 5;

// 8. How far apart are Tsinghua University and Samsung Electronics through co-owned patents?
// expect: [{"hops": 2, "paths": 1, "via_patent": "7773574"}]
MATCH p = allShortestPaths(
  (a:Organization {id: 'ror:03cve4549'})-[:ASSIGNED_TO*..8]-(b:Organization {id: 'ror:020m7t761'}))
RETURN length(p) AS hops, count(p) AS paths, min([n IN nodes(p) WHERE n:Patent | n.number][0]) AS via_patent;

// 9. CPC hierarchy: patents in main group H01L21 (semiconductor processing) and its subgroups.
// expect: [{"patents": 695, "groups_used": 547}]
MATCH (c:CPCClass) WHERE c.symbol STARTS WITH 'H01L21/'
MATCH (p:Patent)-[:CLASSIFIED_AS]->(c)
RETURN count(DISTINCT p) AS patents, count(DISTINCT c) AS groups_used;

// 10. The ancestors of CPC group H01L21/02, up the BROADER hierarchy.
// expect: [{"ancestor": "H", "level": "section"}, {"ancestor": "H01", "level": "class"}, {"ancestor": "H01L", "level": "subclass"}, {"ancestor": "H01L21/00", "level": "main_group"}]
MATCH (:CPCClass {symbol: 'H01L21/02'})-[:BROADER*]->(a:CPCClass)
RETURN a.symbol AS ancestor, a.level AS level
ORDER BY size(a.symbol);

// 11. Where are the holders of Chemistry patents (WIPO sector 3)? Patents by organisation country.
// expect: [{"country": "US", "patents": 1049}, {"country": "KR", "patents": 505}, {"country": "JP", "patents": 503}, {"country": "CN", "patents": 384}, {"country": "TW", "patents": 213}]
MATCH (:TechnologyField {id: 'wipo:sector:3'})<-[:BROADER]-(:TechnologyField)<-[:IN_FIELD]-(p:Patent)-[:ASSIGNED_TO]->(o:Organization)
WHERE o.country IS NOT NULL
RETURN o.country AS country, count(DISTINCT p) AS patents
ORDER BY patents DESC, country
LIMIT 5;

// 12. Provenance: which source each organisation node comes from (licences in the manifest,
//     `MATCH (m:TtkgGraph) RETURN m.manifest`).
// expect: [{"source": "openalex", "organisations": 1020}, {"source": "patentsview", "organisations": 2748}, {"source": "ror", "organisations": 4053}]
MATCH (o:Organization)
RETURN o.source AS source, count(*) AS organisations
ORDER BY source;

// 13. Science and technology: organisations that publish in Materials Science (OpenAlex field
//     25: a work is in it when one of its topics falls under it) and patent in Semiconductors
//     (WIPO field 8), with distinct works and patents.
// expect: [{"id": "ror:03cve4549", "organisation": "Tsinghua University", "works": 4, "patents": 29}, {"id": "ror:00q4vv597", "organisation": "Hong Kong University of Science and Technology", "works": 3, "patents": 2}, {"id": "ror:0112mx960", "organisation": "Tokyo Institute of Technology", "works": 2, "patents": 8}, {"id": "ror:04qr3zq92", "organisation": "University of Electronic Science and Technology of China", "works": 2, "patents": 3}, {"id": "ror:000e0be47", "organisation": "Northwestern University", "works": 2, "patents": 1}]
MATCH (:ResearchField {id: 'openalex:field:25'})<-[:BROADER*0..3]-(:ResearchField)<-[:HAS_TOPIC]-(w:Work)-[:AUTHORED_BY]->(o:Organization)
WITH o, count(DISTINCT w) AS works
MATCH (o)<-[:ASSIGNED_TO]-(p:Patent)-[:IN_FIELD]->(:TechnologyField {id: 'wipo:field:8'})
RETURN o.id AS id, o.name AS organisation, works, count(DISTINCT p) AS patents
ORDER BY works DESC, patents DESC, id
LIMIT 5;

// 14. The paths `ttkg query paths "Tsinghua University" "LG Display Co., Ltd." --via CO_ASSIGNED`
//     prints, drawn from the derived CO_ASSIGNED relationships `ttkg neo4j push` stores (each
//     with `patents`, the co-owned patents behind it, and `evidence`, their first ids): the
//     shortest paths, the strongest weakest hop first. Return `p` to see them as a graph.
// expect: [{"organisations": ["Tsinghua University", "Samsung Electronics (South Korea)", "Seoul National University Industry Foundation", "LG Display Co., Ltd."], "patents": [1, 30, 3], "first_evidence": "patent:US7773574"}, {"organisations": ["Tsinghua University", "Samsung Electronics (South Korea)", "Korea University Research and Business Foundation", "LG Display Co., Ltd."], "patents": [1, 15, 1], "first_evidence": "patent:US7773574"}, {"organisations": ["Tsinghua University", "Samsung Electronics (South Korea)", "University-Industry Cooperation Group of Kyung Hee University", "LG Display Co., Ltd."], "patents": [1, 6, 1], "first_evidence": "patent:US7773574"}]
MATCH p = allShortestPaths((a:Organization {id: 'ror:03cve4549'})-[:CO_ASSIGNED*..4]-(b:Organization {id: 'org:lg-display'}))
WITH p, [r IN relationships(p) | r.patents] AS patents
WITH p, patents, reduce(w = patents[0], n IN patents | CASE WHEN n < w THEN n ELSE w END) AS weakest,
     reduce(s = 0, n IN patents | s + n) AS total
RETURN [n IN nodes(p) | n.name] AS organisations, patents, relationships(p)[0].evidence[0] AS first_evidence
ORDER BY weakest DESC, total DESC, organisations
LIMIT 3;

// 15. Co-authorship as a science-technology partnership: pairs of organisations co-authoring
//     works in Materials Science (OpenAlex field 25) where one of the two patents in
//     Semiconductors (WIPO field 8), with their co-authored works (the co-authorship half of
//     `ttkg query bridges "Materials Science" Semiconductors`' partnerships).
// expect: [{"organisation": "Hong Kong University of Science and Technology", "partner": "University of Hong Kong", "works": 2}, {"organisation": "Northwestern University", "partner": "University of Massachusetts Amherst", "works": 1}, {"organisation": "Northwestern University", "partner": "University of Pennsylvania", "works": 1}, {"organisation": "Northwestern University", "partner": "Johns Hopkins University", "works": 1}, {"organisation": "Northwestern University", "partner": "University of North Carolina at Chapel Hill", "works": 1}]
MATCH (:ResearchField {id: 'openalex:field:25'})<-[:BROADER*0..3]-(:ResearchField)<-[:HAS_TOPIC]-(w:Work)
WITH DISTINCT w
MATCH (a:Organization)<-[:AUTHORED_BY]-(w)-[:AUTHORED_BY]->(b:Organization)
WHERE a.id < b.id
WITH a, b, count(DISTINCT w) AS works
OPTIONAL MATCH (a)<-[:ASSIGNED_TO]-(pa:Patent)-[:IN_FIELD]->(:TechnologyField {id: 'wipo:field:8'})
WITH a, b, works, count(pa) AS a_patents
OPTIONAL MATCH (b)<-[:ASSIGNED_TO]-(pb:Patent)-[:IN_FIELD]->(:TechnologyField {id: 'wipo:field:8'})
WITH a, b, works, a_patents, count(pb) AS b_patents
WHERE a_patents > 0 OR b_patents > 0
RETURN a.name AS organisation, b.name AS partner, works
ORDER BY works DESC, a.id, b.id
LIMIT 5;
