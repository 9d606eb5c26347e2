"""Apply the lead's row-by-row review decisions to the helpers' research output."""
import csv, glob, os, re
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out"); REV = os.path.join(HERE, "reviewed")
os.makedirs(REV, exist_ok=True)
DROP = set("""
tx-sb4-2023-stay-2026 sc-s20-2011-stop-status-check wv-287g-agreements-2025
me-ld1971-2026 ma-healey-eo-287g-state-facilities-2026 va-eo-16-2026 wi-doa-ice-guidance-2025
mn-pawlenty-eo-immigration-2008 me-eo-lepage-2011-01 nh-sb62-2025
orange-county-sb54-lawsuit-resolution-2018 san-diego-county-sb54-amicus-vote-2018 aliso-viejo-sb54-amicus-resolution-2018
dana-point-sb54-opposition-2018 fountain-valley-sb54-amicus-2018 huntington-beach-sb54-lawsuit-vote-2018
laguna-niguel-sb54-resolution-2018 yorba-linda-sb54-amicus-2018 escondido-sb54-amicus-resolution-2018
shasta-county-non-sanctuary-resolution-2018 hesperia-sb54-amicus-2018 barstow-sb54-amicus-2018
simi-valley-sb54-amicus-2018-04 simi-valley-sb54-amicus-2018-06 los-alamitos-sb54-exemption-ordinance-2018
contra-costa-sheriff-ends-ice-detention-contract-2018 sacramento-county-ends-ice-detention-contract-2018
pima-county-287g-moa-2009 pinal-county-287g-moa-2009 yavapai-county-287g-moa-2009 el-paso-county-co-287g-moa-2009
burien-ordinance-651-2017 albuquerque-immigrant-friendly-r-18-07-2018 farmers-branch-287g-measure-2006
owyhee-county-287g-task-force-2025 utah-county-287g-agreements-2025 somervell-county-287g-wso-2025
atascosa-county-287g-task-force-2025 nassau-county-ny-287g-2025 frederick-county-md-287g-2008
bristol-county-ma-287g-2017 plymouth-county-ma-287g-2017 evanston-welcoming-city-ordinance-2016
durham-county-nc-sheriff-detainer-policy-2018 boston-trust-act-amendment-2019 ca-ab668-2019
ok-hb4156-2024-enforceable-2025 ms-sb2114-2026 la-sb15-act399-2025
pima-county-ice-county-property-resolution-2026 danbury-ct-council-ice-287g-authorization-2008 herndon-va-287g-letter-of-interest-resolution-2006 herndon-va-287g-moa-approval-2007
rochester-ny-sanctuary-city-resolution-2017 cincinnati-sanctuary-city-resolution-2017 loudoun-county-va-illegal-immigration-resolution-2007 cape-may-county-nj-287g-support-resolution-2019 elgin-il-resolution-25-196-2025 worcester-ma-city-manager-eo-ice-2025 baltimore-county-md-ice-detention-ban-2026
aransas-county-tx-287g-jail-2017 calhoun-county-tx-287g-jail-2017 chambers-county-tx-287g-jail-2017 dewitt-county-tx-287g-jail-2017 galveston-county-tx-287g-jail-2017 goliad-county-tx-287g-jail-2017 jackson-county-tx-287g-jail-2017 lavaca-county-tx-287g-jail-2017 lubbock-county-tx-287g-jail-2017 matagorda-county-tx-287g-jail-2017 montgomery-county-tx-287g-jail-2017 refugio-county-tx-287g-jail-2017 smith-county-tx-287g-jail-2017 collier-county-fl-287g-moa-2007 benton-county-ar-287g-moa-2007 washington-county-ar-287g-moa-2007 rogers-ar-287g-moa-2007 springdale-ar-287g-moa-2007 dekalb-county-ga-sheriff-ice-detainer-policy-2014
""".split())
DROP_IN_FILE = {("states_requires_south.csv", "ga-hb87-2011-section8"), ("states_requires_rest.csv", "in-sea76-2026"), ("states_limits_west.csv", "ca-ab2792-2016")}
DROP_PATTERNS = [r"-fl-ice-basic-ordering-agreement-2018$", r"-fl-287g-warrant-service-officer-2019$"]
WEAK_DOMAINS = {"magnumbbs.net", "redcensor.com", "alwaysbestcare.com", "bbcgossip.com", "red-america.org"}
CONFLICTED_DHS = {"06065", "06071", "06095"}
EDITS = {
    "in-sea590-2011": dict(ended="2026-07-01", end_reason="superseded by in-sea76-2026 (same code chapter, amended and expanded)", notes_sub=(r"Ended set to the signing date of SEA 76.*$", "Ends when SEA 76 (2026) took effect, 2026-07-01 (https://www.visaverge.com/news/indiana-fairness-act-awaits-governor-mike-brauns-signature).")),
    "tn-sb6002-2025": dict(ended="2026-02-25", end_reason="felony penalties for officials voided by agreed order (Davidson County Chancery Court); superseded by tn-sb6002-2025-after-2026-order", notes_add="End: https://mymotherlode.com/news/national/10569367/tennessees-felony-law-when-local-officials-vote-for-sanctuary-policies-is-ruled-unconstitutional.html"),
    "or-hb4079-2026": dict(adopted="", notes_add="Reviewer: the signing day is not confirmed (a tracker shows passage on 2026-03-31), so adopted is left empty; the effective date is stated."),
    "ok-hb1804-2007": dict(adopted="", notes_add="Reviewer: sources disagree on the signing day (May 8 or May 9, 2007), so adopted is left empty; the effective date 2007-11-01 is stated."),
    "ok-hb4156-2024": dict(ended="2024-07-01", end_reason="preliminarily enjoined on 2024-06-28, before it took effect; never in force", effective="2024-07-01"),
    "boston-trust-act-2014": dict(ended="", end_reason="", notes_add="Amended in December 2019; the amendment's exact adoption day was not confirmed (sources disagree), so it has no row yet and this row stays open."),
    "la-city-sanctuary-ordinance-2024": dict(effective="2024-12-04", notes_add="First council vote 2024-11-19 (13-0); final adoption 2024-12-04 (12-0). With its urgency clause it took effect once the mayor signed it; that day was not found, so the final adoption date is used as the effective date."),
    "ma-287g-state-police-2006": dict(instrument="agreement", provisions="agreement_287g"),
    "knox-county-tn-287g-2017": dict(instrument="agreement", provisions="agreement_287g;jail_enforcement_model"),
    "harford-county-md-287g-2016": dict(instrument="agreement", provisions="agreement_287g"),
    "tarrant-county-287g-extension-2019": dict(instrument="agreement", provisions="agreement_287g;jail_enforcement_model"),
    "tarrant-county-287g-renewal-2020": dict(instrument="agreement", provisions="agreement_287g;jail_enforcement_model"),
}
def https(url):
    return "https://" + url[len("http://"):] if url.startswith("http://") else url
def clean_url(u):
    u = https(u.strip())
    return u.replace("legiscan.com./", "legiscan.com/")
for path in sorted(glob.glob(f"{OUT}/*.csv")):
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    if not rows: continue
    kept = []
    for r in rows:
        r = {k: (v or "") for k, v in r.items()}
        r["source_url"] = clean_url(r["source_url"])
        if "measure_id" in r:
            mid = r["measure_id"]
            if mid in DROP or (os.path.basename(path), mid) in DROP_IN_FILE or any(re.search(p, mid) for p in DROP_PATTERNS):
                continue
            e = EDITS.get(mid, {})
            for k, v in e.items():
                if k == "notes_add": r["notes"] = (r["notes"] + " " + v).strip()
                elif k == "notes_sub": r["notes"] = re.sub(v[0], v[1], r["notes"], flags=re.S)
                else: r[k] = v
            if not r["effective"] or not r["provisions"]:
                print("STILL BAD", mid, r["effective"], r["provisions"]); continue
        else:
            dom = r["source_url"].split("/")[2]
            if dom in WEAK_DOMAINS or (r["list"] == "dhs-2025-05" and r["geoid"] in CONFLICTED_DHS):
                continue
        kept.append(r)
    with open(f"{REV}/{os.path.basename(path)}", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n"); w.writeheader(); w.writerows(kept)
    print(os.path.basename(path), len(rows), "->", len(kept))
