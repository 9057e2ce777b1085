/**
 * Wording that marks what a sentence or a timeline event reports. Shared by the time fields (which
 * event is the detection, which the recovery) and the narrative fields (which sentence of a
 * summary states the cause or the fix).
 */

/** Something changed: a deploy, a merge, an upgrade, a certificate expiring. */
export const CHANGE = /\b(deploy(ed|ment|s|ing)?|merged?|released?|rolled out|rollout|applied|upgrad(e|ed|ing)|migrat(e|ed|ion)|bump(ed)?|introduced|pushed|expired?|expiring|scal(ed|ing) (up|down|out)|reduc(ed|es)|installed|enabled|updated?|changed?|drained|ran|executed|started (upgrading|replacing)|replac(es|ed)|proactively)\b/i;

/** Something broke. */
export const FAILURE = /\b(fail(s|ed|ing|ure|ures)?|errors?|down|outage|unavailable|timeouts?|timing out|timed out|crash(ed|es|ing)?|crash ?loop(ing)?|stuck|unresponsive|degrad(ed|ation)|not (working|responding|shipped)|stopped (working|responding)|(returning|returned|serving|served|with|http|status|got) (5\d\d|4\d\d)|5\d\ds\b|5xx|oom ?kill(ed)?|saturat(ed|ion)|spike|exhaust(ed|ion)|overload(ed)?|began experiencing|begins experiencing)\b/i;

/** The start said in so many words. */
export const START = /\b((outage|incident|impact|degradation|issue|problem|errors?|failures?)\s+(begins|began|starts|started|begin)|(began|begins|started|starts)\s+(failing|to fail|experiencing|returning|to return)|fault occurs?|outage starts?|(impact|incident|outage)\s+start)\b/i;

export const DETECTION = /\b(alert(s|ed)?\b(?!ing)|alarms?\b|paged|page[sd]? (on-?call|the)|pagerduty|fired|firing|fires|detect(ed|s)|notic(ed|es|e)|reported|reports?\b|reporting|first (recorded|report|notice)|became aware|reached out|contacted us|pinged|(is|was) identified by|raised (by|an?)|received (an? )?(email|alert|notification|page|call|warning)|(email|alert|notification|page|call|warning) (was |were )?received|(automated |automatic )?warnings?\b|discovered by|discovering|customer (reached|contacted)|support (ticket|request))\b/i;

/** Sentences about the root cause being found are not the detection. */
export const ROOT_FOUND = /\b(root cause|cause (was |is )?(identified|found|discovered|determined)|identified (the )?(root )?cause)\b/i;

/** The service came back: the impact stopped. */
export const RECOVERED = /\b(mitigat(ed|es)|issue mitigated|(service|services|traffic|site|hub|api|system|queue|cluster)s?\b[^.]{0,40}\b(restored|recovered|resumed|back( up| online| to normal)?|working|operational|functional|healthy|online)|restored|recovered|recovering|back (up|online|to normal|in service)|is back|working (as intended|as expected|again|fine|normally)|confirmed (working|functional|healthy|to be functional)|functional again|(is|are|was|were) (now )?(healthy|functional|operational|online)( again)?|online\b|outage ends?|incident (repaired|mitigated)|repaired|fix (works|worked|confirmed)|errors? (mostly )?(subsided|stopped|dropped|decreased)|stabili[sz](ed|es)|lag (cleared|draining|back)|(errors?|rebalancing|crash(es|ing)?|restarts?|alerts?|evictions?) (stopped|stops|ceased|subsided)|solved the issue|returned to (normal|a healthy)|caught up|picks up as normal|is up\b|came back)\b/i;

/** A mitigating action (the fix applied, not yet its outcome). */
export const MITIGATING_ACTION = /\b(raising|increasing|restarting|reverting|disabling|rolling back|failing over|draining|cordoning|deleting|removing|killing|rotating|renewing|revoking|scaling (up|out|down)|switching|moving|roll(ed|s|ing)? ?back|reverted|reverts?\b|revert(ed)? (deployed|merged)|fix(es)? (was |were )?(deployed|applied|released|rolled out|merged)|hotfix|disabled|disabling|scaled (up|down|out)|scaling (up|down)|restart(ed|s|ing)?|increased|raised|failed over|downgraded|renewed|rotated|locked|revoked|deleted|removed|killed|drained|cordoned|uncordoned|replaced|re-?deployed|manually (merged|deployed|fixed|changed|rolled)|mark(ed)? [^.]{0,30} (as )?unhealthy|(certificates?|certs?|keys?|secrets?|tokens?) (were |was )?(rolled( over)?|rotated|renewed)|(new|fixed|patched) (image|version|build|release)\b[^.]{0,30}\b(deployed|released|rolled out)|solve[ds]?|solving|paused|blocked|patched|migrated|moved|switched|added capacity|freed up|airgapped|factory reset|reset|complet(ed|es) the (migration|rollback|failover|fix|upgrade|replacement))\b/i;

/** Words that make an action only an attempt or a plan. */
export const NOT_DONE = /\b(attempt(ed|s)?|fail(s|ed)? (to|due)|tries|trying|tried|initiated|begin|began|begins|start(s|ed)? (to|working|looking|investigating)|planned|plan to|will|would|should|could|considering|investigat(e|ing)|suspect(s|ed)?|decision|decided|decides)\b/i;

/** The incident was closed. */
export const RESOLVED = /\b(resolved|closed|all clear|incident (is )?(over|ended|closed|resolved|officially resolved)|officially resolved|permanently fixed|issue permanently|verified operational|resolution (is )?confirmed|fully (resolved|operational))\b/i;

/** Lines that resolve something else: a ticket, a dependency, a status page entry. */
export const RESOLVED_OTHER = /\b(but investigations continued|once we|will be|to be resolved|not (yet )?resolved|unresolved|remains unresolved)\b/i;

/** "The root cause was ...", "caused by", "due to": a sentence that states a cause. */
export const CAUSE = /\b(root[- ]?cause|(this|which|that|it) (caused|led to|resulted in)|causing|(was|were|is|are) (ultimately |mainly |primarily )?(caused|triggered) by|caused by|due to|because( of)?|as a result of|resulted from|stemmed from|the cause (was|is)|culprit|was traced to|originated)\b/i;

/** A sentence that says what set it off. */
export const TRIGGER = /\b(trigger(ed|s)? (by|when)|was triggered|triggering a (deploy|rollout|release|restart)|set off|kicked off|(after|following|during) (a|an|the|our|its)? ?([\w-]+ ){0,3}(deploy(ment)?s?|upgrades?|updates?|releases?|rollouts?|migrations?|changes?|merges?|push(es)?|restarts?|maintenance|rescaling|scaling)|due to (a|an|the|our)? ?([\w-]+ ){0,2}(rescaling|scaling|deploy(ment)?|upgrade|update|migration|release|restart|change)|(was|were) (deployed|merged|released|rolled out|upgraded|applied|pushed|changed|updated|reduced|drained)|expired|(began|started) sending|flood of|(was|were) (deleting|destroying|upgrading|replacing|migrating|updating|changing|deploying|rolling out|removing|rotating|rescaling|recycling|draining|applying)|(routine|planned|scheduled) (replacement|maintenance|upgrade|update|migration|rotation|rollover|deploy(ment)?|(ami|node|cluster|kubernetes|eks|k8s) (update|upgrade))|\b(ran|running|executed|executing) `[^`]+`)\b/i;

/** "triggering alerts", "alerts were triggered": an alert, not what set the incident off. */
export const ALERT_TRIGGER = /\b(alerts?|alarms?|pages?|pagerduty|notifications?)\b[^.]{0,20}\btrigger|\btrigger(ed|ing)? (an? )?(alerts?|alarms?|pages?)|\btest triggering/i;

/** What users or on-call saw. */
export const SYMPTOM = /\b(unable to|could not|couldn'?t|can'?t|cannot|failed|failing|fails|errors?|returning|returned|unavailable|down\b|outage|timeouts?|timing out|timed out|slow|latency|degraded|crash(ed|es|ing)?|stuck|not (working|responding|loading|shipped|available)|broken|stopped|delayed|delays|missing|lost|(returning|returned|serving|served|with|http|status|got) (5\d\d|4\d\d)|5\d\ds\b|4\d\ds\b|5xx|4xx|exceptions?|alerts? (fired|triggered)|health ?check|down for|inaccessible|unusable|hung|hang|stale|leak(s|ed|ing)?|downtime|(did|does|do) not (respond|work|load|start|complete|resolve)|(didn'?t|doesn'?t|don'?t|aren'?t|isn'?t|wasn'?t|weren'?t) (respond(ing)?|work(ing)?|load(ing)?|start(ing)?|launch(ing)?|available|able)|not (launching|starting|reachable|accessible)|compromised|malicious|suspicious|unauthori[sz]ed|fraudulent)\b/i;

/** A symptom as someone saw it: users, customers, jobs or alerts, and what went wrong for them. */
export const SEEN_BY = /\b(users?|customers?|clients?|teams?|on-?call|alerts?|pag(ed|es?)|requests?|jobs?|builds?|pages|site|website|visitors?|developers?|engineers?|employees?|people)\b/i;

/** Statements about future work, which are never what was done. */
export const FUTURE_WORK = /\b(we (will|should|need to|must|plan to|are going to|intend to)|will (have|need) to|needs? to be|has to|have to be|going forward|in the future|long[- ]term|next steps?|follow[- ]up|action items?|todo)\b/i;

/** "not starting back up", "never recovered": a recovery word that says the opposite. */
export const NEGATED_RECOVERY = /\b(not|never|no longer|didn'?t|did not|wasn'?t|weren'?t|still|unable to|failed to|couldn'?t)\b[^.;]{0,30}\b(restored|recover(ed|ing)?|working|resolved?|back|healthy|online|functional)\b/i;

/** Opening a ticket or declaring an incident is paperwork, not a mitigation. */
export const PAPERWORK = /\b(raised|opened|created|filed|declared|logged)\b[^.]{0,20}\b(incident|ticket|issue|case|pr|pull request|support request)\b|\b(incident|ticket|issue|case)\b[^.]{0,12}\b(raised|opened|created|filed|declared)\b/i;
