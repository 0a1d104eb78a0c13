"""Paraphrase coverage: realistic caregiver wording nobody on the team wrote the rules from.

Every case goes through the public API (``bot.read_message``, ``bot.screen_message``,
``bot.assess``). For each red flag: phrasings that are present and new (must raise the flag),
denied phrasings and long-standing phrasings (must not), plus look-alikes that must not fire.
Then crisis / non-crisis, dose questions / plain medication mentions, condition names in lay
words and typos, pain features per question topic, and whole-picture single-text vignettes.

Third person, caregiver voice, lowercase, typos, run-ons, UK and US English on purpose.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

import bot

# ---------------------------------------------------------------- helpers


def _case(text, topic=None):
    return bot.read_message(None, text, topic)


def flags(text, topic=None):
    return set(_case(text, topic)["red_flags"])


def features(text):
    return {fid for fid, f in _case(text)["features"].items() if f["status"] in ("present", "uncertain")}


# ---------------------------------------------------------------- red flags: present and new

PRESENT = {
    "bladder_bowel": [
        "she's been wetting the bed the last two nights and never did before",
        "he couldn't pee at all today",
        "soiled himself this afternoon",
        "mum lost control of her bladder this morning",
        "had an accident in his pants out of nowhere",
        "he hasn't peed since last night",
        "my wife suddenly can't control her bowels",
        "dad wet himself twice today, never happened before",
        "she's not been able to pass urine since yesterday",
        "hes been trying to wee all day but nothing comes out",
        "my husband pooed himself in his chair this morning, thats new",
        "client has become incontinent of urine since saturday",
        "she's had no wee for about 12 hours",
        "she hasnt had a wee since breakfast and its now 9pm",
        "new bowel incontinence in the last two days",
        "my partner messed herself last night for the first time",
        "he says he cant empty his bladder properly since this morning",
        "she's suddenly started leaking urine",
        "he had an accident last night and the bed was soaked, he's never done that",
        "she can't tell when she needs the loo anymore, started yesterday and she's wet twice",
        "dad's bowels just opened in his chair without him knowing",
        "since the weekend mum keeps peeing herself",
        "he's retaining urine, nothing since this morning",
        "my husband has completely lost bowel control since tuesday",
    ],
    "leg_weakness": [
        "his legs buckled this morning",
        "she suddenly can't lift her legs",
        "couldn't get out of bed today, legs won't hold him",
        "weakness in both legs came on fast over a day",
        "mum's legs gave out on the stairs earlier today",
        "his legs just went from under him at lunch",
        "she could walk yesterday and today she can't stand at all",
        "her legs are suddenly much weaker than yesterday",
        "dad can't weight bear since this morning",
        "my husband's legs have gone completely floppy overnight",
        "legs like jelly all of a sudden",
        "the strength in her legs has gone in the last 24 hours",
        "he's gone off his legs since yesterday",
        "she went to stand and her knees gave way",
        "his knees buckled when we got him up this morning",
        "since this morning she can't move her legs",
        "rapidly getting weaker in the legs, two days ago he was walking and now he can't stand",
        "new leg weakness today",
        "his legs feel like lead suddenly, he can barely move them",
        "she's lost the power in her legs overnight",
        "wife's legs collapsed under her when we transferred her",
        "her legs went weak really quickly this afternoon",
    ],
    "leg_numbness": [
        "her legs went dead",
        "can't feel his feet since lunch",
        "sudden numbness down both legs",
        "his legs have gone numb this evening",
        "she says she cant feel her legs from the knees down since this morning",
        "suddenly lost all feeling in his legs",
        "both feet went numb overnight",
        "numb from the waist down since yesterday",
        "new numbness in her thighs",
        "he cant feel his legs at all, it happened today",
        "she can't feel the floor under her feet since this morning",
        "numbness spreading up her legs today",
        "dad's feet and legs are numb all of a sudden",
        "she has no feeling in her legs tonight",
        "his leg went numb this afternoon and hasn't come back",
        "her legs feel numb and dead since she woke up",
        "mum's lost sensation in both legs since yesterday",
    ],
    "saddle_numbness": [
        "numb around her back passage",
        "no feeling when he wipes",
        "bottom feels numb since yesterday",
        "since this morning she can't feel between her legs",
        "she says her private parts feel numb",
        "he can't feel the toilet paper when he wipes",
        "numbness in her genitals today",
        "his groin's gone numb",
        "her bum and inner thighs are numb, started today",
        "she can't feel herself when she wipes",
        "numbness around his anus",
        "she's got no sensation down below",
        "sitting on the toilet she can't feel the seat",
        "his crotch feels numb",
        "his backside went numb this afternoon and it hasn't come back",
        "tingling and numbness between her legs since last night",
        "she can't feel her bottom when she sits down",
        "his privates have gone numb",
    ],
    "injury": [
        "slipped in the shower and landed on her back",
        "he was dropped during a transfer",
        "she came off the hoist",
        "hit his back on the bath",
        "mum had a fall last night",
        "fell out of his wheelchair this morning",
        "she slid off the bed onto the floor",
        "he tripped over the rug and went down hard",
        "the carer dropped her when moving her",
        "he toppled over backwards in his chair",
        "we found her on the floor this morning",
        "came out of the hoist sling and hit the floor",
        "her wheelchair tipped over with her in it",
        "he banged his back on the door frame",
        "she knocked her spine against the bed rail",
        "got hurt in a car crash on monday",
        "she had a tumble in the garden",
        "he lost his balance and fell against the radiator",
        "fell down the stairs",
        "dad went over on his ankle and landed on his bum",
        "she slipped off the commode and hurt her back",
    ],
    "fever": [
        "temp of 39",
        "38.5 fever",
        "she's running hot and shivery",
        "has the chills and a temperature",
        "feverish and sweaty",
        "his temperature's 38.2",
        "temp 38.9 this evening",
        "she's been burning up all night",
        "thermometer says 101",
        "he's got a high temp",
        "boiling hot and shivering",
        "got a temperature since this morning",
        "running a fever",
        "her temp went up to 38 tonight",
        "she's hot to touch and shaking",
        "he's got a raging temperature",
        "sweating buckets and shivering",
        "he's pyrexial",
        "she spiked a temp last night",
        "she's got a temperature of 38.4",
    ],
    "breathing": [
        "gasping for air",
        "breathless lying flat",
        "his breathing is really laboured tonight",
        "can't get enough air",
        "lips going blue",
        "she's panting even sitting still",
        "he's struggling for breath",
        "short of breath since this morning",
        "he gets out of breath just talking now, new this week",
        "she wakes up gasping",
        "his breathing is very shallow today",
        "her chest feels tight and she can't breathe properly",
        "he's having to use his BiPAP during the day now",
        "she's breathing really fast",
        "he can't catch his breath",
        "wheezy and breathless",
        "finding it hard to breathe",
        "breathing difficulties since yesterday",
        "cant breath properly",
        "she's fighting for breath",
    ],
}


# ---------------------------------------------------------------- red flags: denied

NEGATED = {
    "bladder_bowel": [
        "no bladder or bowel problems",
        "bladder is fine",
        "no problems with her waterworks",
        "he hasn't wet himself",
        "no accidents, bladder and bowels normal",
        "peeing normally",
        "no incontinence",
        "waterworks fine",
    ],
    "leg_weakness": [
        "no new weakness",
        "nothing wrong with his legs",
        "legs are fine",
        "no sudden weakness in her legs",
        "hasn't lost any strength in his legs",
        "denies leg weakness",
        "her legs are no weaker than usual",
    ],
    "leg_numbness": [
        "denies numbness",
        "no numbness in her legs",
        "legs not numb",
        "feeling in his legs is normal",
        "she can feel her feet fine",
        "no loss of feeling in his legs",
        "no numbness or tingling anywhere",
    ],
    "saddle_numbness": [
        "no numbness down below",
        "no saddle numbness",
        "feeling down there is normal",
        "she can feel when she wipes",
        "denies any numbness around her bottom",
        "no numbness in the groin",
    ],
    "injury": [
        "hasn't had any falls",
        "no falls",
        "no injuries",
        "she hasn't fallen or hurt herself",
        "no trauma",
        "denies any falls or bumps",
        "nothing happened to cause it, no fall",
    ],
    "fever": [
        "no fever",
        "temperature is normal",
        "temp normal",
        "she hasn't had a temperature",
        "no fevers or chills",
        "afebrile",
        "temp 36.8",
        "no sign of infection, no temperature",
    ],
    "breathing": [
        "breathing is normal",
        "no breathing problems",
        "no shortness of breath",
        "her breathing's fine",
        "he's not breathless",
        "breathing ok",
        "no trouble breathing",
        "denies breathlessness",
    ],
}


# ---------------------------------------------------------------- red flags: long-standing

LONG_STANDING = {
    "bladder_bowel": [
        "she's been incontinent for years",
        "she's worn pads for years because of her MS, nothing different",
        "his bladder has been weak since diagnosis",
        "urgency and the odd accident for years, same as usual",
        "bowel problems are long standing, nothing new",
        "she's had a weak bladder for ages",
    ],
    "leg_weakness": [
        "his legs have been weak since diagnosis, nothing new",
        "his legs are weak, as they have been for two years",
        "she's had weak legs for ages",
        "legs slowly getting weaker over the years",
        "he can't walk, hasn't for a couple of years",
        "she's been unable to stand for months",
    ],
    "leg_numbness": [
        "numb feet for ages",
        "she's had numbness in her legs for years",
        "his feet have been numb since diagnosis, no change",
        "her legs are always a bit numb, that's her MS",
        "numb toes for a long time, nothing new",
        "the numbness in her legs is the same as usual",
    ],
    "saddle_numbness": [
        "numb bum for years, nothing new",
        "she's had some numbness down below since diagnosis, unchanged",
        "his groin has been a bit numb for a long time",
        "numbness between her legs has been there for years",
        "saddle area has been numb since her relapse 5 years ago, no change",
    ],
    "injury": [
        "old back injury from years ago",
        "she fell years ago and broke her hip, nothing since",
        "he had a car accident a long time ago",
        "she hurt her back years ago lifting",
        "an old sports injury from decades ago",
    ],
    "fever": [
        "night sweats for years, nothing new",
        "she always gets the shivers after her bath, same as usual",
        "he gets chills in cold weather, always has",
        "her night sweats have been there for ages, her normal",
        "he's had the odd chill for months, no change",
    ],
    "breathing": [
        "uses BiPAP at night for a couple of years, breathing same as usual",
        "he's been a bit breathless on exertion for years, no change",
        "her breathing has been weak since diagnosis, stable",
        "he has asthma and gets wheezy, nothing new",
        "shortness of breath for months, not worse",
    ],
}


# ---------------------------------------------------------------- red flags: look-alikes

LOOKALIKES = [
    ("he fell asleep in his chair", "injury"),
    ("she fell in love with the new chair", "injury"),
    ("we're falling behind with the housework", "injury"),
    ("she fell out with her sister", "injury"),
    ("it slipped my mind to give her the tablets", "injury"),
    ("he tripped over his words", "injury"),
    ("I dropped her off at the day centre", "injury"),
    ("we dropped him at respite this morning", "injury"),
    ("the pain fell to a 3 after the paracetamol", "injury"),
    ("she's worried about falling", "injury"),
    ("there's a fall mat by the bed", "injury"),
    ("she's hot-tempered today", "fever"),
    ("the room was too hot so we opened a window", "fever"),
    ("his hands shake when he's tired", "fever"),
    ("she shakes her head when I ask", "fever"),
    ("it gives me the chills thinking about it", "fever"),
    ("a hot water bottle helps", "fever"),
    ("she's having hot flushes", "fever"),
    ("breathing exercises help", "breathing"),
    ("she took a deep breath and relaxed", "breathing"),
    ("the new carer is a breath of fresh air", "breathing"),
    ("I'm gasping for a cup of tea", "breathing"),
    ("his legs are weak, as they have been for two years", "leg_weakness"),
    ("her voice is weak today", "leg_weakness"),
    ("her hands are suddenly weaker", "leg_weakness"),
    ("his grip got weaker this morning", "leg_weakness"),
    ("the pain went down after a rest today", "leg_weakness"),
    ("she went down with a cold yesterday", "leg_weakness"),
    ("she collapsed into bed exhausted tonight", "leg_weakness"),
    ("she can't stand the heat", "leg_weakness"),
    ("he can't stand being in the chair all day", "leg_weakness"),
    ("her arm went numb today from lying on it", "leg_numbness"),
    ("his fingers are numb this morning", "leg_numbness"),
    ("she has a bladder infection", "bladder_bowel"),
    ("we use wet wipes", "bladder_bowel"),
    ("bowel movements are normal", "bladder_bowel"),
    ("her bum is sore from sitting", "saddle_numbness"),
]


# Messages with several things in them: the exact set of flags.
MIXED = [
    ("no fever but she wet herself this morning and her legs gave way", {"bladder_bowel", "leg_weakness"}),
    ("bladder's been weak for years but today she can't feel her legs", {"leg_numbness"}),
    ("hasn't fallen, temp is normal, breathing fine, but he's been soiling himself since yesterday", {"bladder_bowel"}),
    ("no falls and no numbness, she's breathless tonight", {"breathing"}),
    ("his legs are weak as always and he's got a temp of 38.5", {"fever"}),
    ("she slipped getting out of the bath and now she can't feel her bum", {"injury", "saddle_numbness"}),
    ("her waterworks are fine, no temperature, legs no different", set()),
    ("he fell asleep in the chair and woke up soaked, he's wet himself for the first time", {"bladder_bowel"}),
]


# ---------------------------------------------------------------- crisis

CRISIS = [
    "I can't do this anymore",
    "I feel like giving up",
    "he said he'd be better off dead",
    "thinking of ending things",
    "I just want it all to stop",
    "she keeps saying she wants to die",
    "he told me he doesn't want to be here anymore",
    "some days I think about killing myself",
    "I've been having thoughts of suicide",
    "she asked me to help her end her life",
    "I don't see the point in going on",
    "he says everyone would be better off without him",
    "I can't cope any longer, I'm at breaking point",
    "mum said she wishes she hadn't woken up this morning",
    "i wanna end it",
    "he's been stockpiling his pills",
    "I can't take any more of this",
    "she talks about taking all her tablets at once",
    "I feel like there's no way out",
    "I don't want to live like this anymore",
    "dad says he's had enough of living",
    "i cant go on like this",
    "what's the point of anything anymore, I feel hopeless",
    "my husband says he wants to go to dignitas",
    "sometimes I wish I could just disappear forever",
]

NOT_CRISIS = [
    "I'm tired but coping",
    "she's dying to get outside",
    "this pain is killing her",
    "the stairs are killing me",
    "I could kill for a cup of tea",
    "we're dying to know what causes it",
    "he's given up caffeine",
    "she gave up driving last year",
    "I'm exhausted but we're managing",
    "I just want her pain to stop",
    "the pain stops when she lies down",
    "his back is killing him today",
    "she'd kill me if she knew I was writing this",
    "he's dead tired after physio",
]


# ---------------------------------------------------------------- dose questions

DOSE = [
    "how much baclofen can she have",
    "can I give him an extra tramadol",
    "is 20mg of baclofen too much",
    "what's the most gabapentin he can take in a day",
    "how many paracetamol can she take",
    "can she take two co-codamol at once",
    "should I up his dose",
    "is it safe to give her another dose tonight",
    "how often can I give her ibuprofen",
    "can he have more tizanidine if the spasms are bad",
    "whats the max amount of naproxen",
    "she's on 10 mg, can we go to 20",
    "can i double up her pain meds tonight",
    "how many tablets of baclofen a day is ok",
]

NOT_DOSE = [
    "she takes baclofen",
    "he's on gabapentin",
    "the baclofen makes her sleepy",
    "we tried ibuprofen but it didn't help",
    "his neurologist prescribed tizanidine",
    "she takes paracetamol when it's bad",
    "the medication helps a bit",
    "she takes 10mg of baclofen three times a day",
    "he's been on 300 mg gabapentin for a year",
]


# ---------------------------------------------------------------- conditions

CONDITIONS = [
    ("my husband has ALS", "als"), ("she has A.L.S.", "als"), ("dad's got a.l.s", "als"),
    ("mum has lou gehrig's disease", "als"), ("he has lou gehrigs", "als"), ("lou gherig's disease", "als"),
    ("Lou Gehrig disease", "als"), ("my wife has motor neurone disease", "als"), ("motor neuron disease", "als"),
    ("he was diagnosed with MND last year", "als"), ("she has mnd", "als"), ("amyotrophic lateral sclerosis", "als"),
    ("he has ALS/MND", "als"), ("client has motor neurone", "als"), ("my dad has amyotrophic lateral sclerosys", "als"),
    ("wife has MS", "ms"), ("she has M.S.", "ms"), ("he has ms.", "ms"), ("multiple sclerosis", "ms"),
    ("my mum has multiple sclerosys", "ms"), ("husband has multiple scelerosis", "ms"), ("mulitple sclerosis", "ms"),
    ("relapsing-remitting", "ms"), ("she has relapsing remitting ms", "ms"), ("RRMS", "ms"), ("SPMS", "ms"),
    ("PPMS", "ms"), ("progressive MS", "ms"), ("secondary progressive MS", "ms"), ("primary progressive multiple sclerosis", "ms"),
    ("her MS-related back pain", "ms"), ("she has muscular sclerosis", "ms"), ("multiple sclorosis", "ms"),
    ("my back hurts", None), ("Ms Patel has back pain", None), ("my client, Ms Jones, has lower back pain", None),
]


# ---------------------------------------------------------------- pain features per topic

FEATURES = [
    # pain_location
    ("pain low down in her back", "lower_back"), ("in her lumbar region", "lower_back"),
    ("just above his bum", "lower_back"), ("right at the base of her spine", "lower_back"),
    ("his tail bone hurts", "lower_back"), ("across the small of her back", "lower_back"),
    ("lower bak pain", "lower_back"),
    ("between his shoulders", "upper_back"), ("upper back", "upper_back"), ("top of her back", "upper_back"),
    ("around her ribcage", "middle_back"), ("middle of her spine", "middle_back"),
    ("at the base of his neck", "neck"), ("her neck and upper back", "neck"),
    ("right side of her back", "one_side"), ("only on the left", "one_side"),
    ("it moves about", "widespread"), ("all over her back", "widespread"),
    ("goes down into her buttock", "radiating"), ("shoots down the back of his leg", "radiating"),
    ("it spreads round to her tummy", "radiating"),
    # pain_feel
    ("it burns like acid", "burning"), ("like she's been scalded", "burning"),
    ("like ants crawling under her skin", "tingling"), ("buzzing feeling", "tingling"),
    ("like an electric current", "electric"), ("sharp shooting pains", "shooting"),
    ("like being stabbed", "stabbing"), ("like a vice round her chest", "squeezing_band"),
    ("stiff as a plank", "stiffness"), ("her muscles lock up", "stiffness"),
    ("knots in her back", "tightness"), ("cramps in his back", "cramping"),
    ("her back goes into spasm", "spasm"), ("his muscles keep twitching", "spasm"),
    ("a nagging ache", "dull_ache"), ("throbbing pain", "throbbing"),
    ("sharp when she twists", "sharp_with_movement"), ("sore to touch", "soreness"),
    ("a red patch on her bottom", "pressure"), ("a pressure sore on his tailbone", "pressure"),
    ("a deep ache in the muscles", "deep_ache"),
    # pain_trigger
    ("when she looks down to read", "neck_flexion"), ("bending her head down", "neck_flexion"),
    ("when she puts her chin down", "neck_flexion"),
    ("hot baths make it worse", "heat"), ("worse in the heat", "heat"),
    ("worse when he's stressed out", "stress"), ("when she's knackered", "fatigue"),
    ("worse when exhausted", "fatigue"), ("if she moves suddenly", "sudden_movement"),
    ("when she's startled", "sudden_movement"), ("when we turn her in bed", "position_change"),
    ("getting her out of bed", "position_change"), ("after lifting the shopping", "lifting_bending_twisting"),
    ("bending to pick something up", "lifting_bending_twisting"), ("twisting to reach", "lifting_bending_twisting"),
    ("walking any distance", "walking"), ("when she's slumped in her chair", "posture"),
    ("her posture is poor", "posture"), ("sitting in her wheelchair all day", "prolonged_sitting_lying"),
    ("after hours in bed", "prolonged_sitting_lying"), ("damp weather", "humidity_temperature"),
    ("muggy days", "humidity_temperature"), ("tight jeans", "tight_clothing"),
    ("when she has a UTI", "infection"), ("when he's got a cold", "infection"),
    ("comes on out of the blue", "spontaneous"), ("for no reason at all", "spontaneous"),
    ("even when she's sitting still", "spontaneous"),
    # pain_relief
    ("eases when she lies down", "rest_helps"), ("better after a lie down", "rest_helps"),
    ("lying down doesn't help", "rest_no_help"), ("propping her up with cushions helps", "support_helps"),
    ("moving her helps", "repositioning_helps"), ("turning him eases it", "repositioning_helps"),
    ("makes no difference what position she's in", "position_no_difference"),
    ("nothing we do helps", "nothing_helps"), ("nothing seems to touch it", "nothing_helps"),
    ("a hot water bottle helps", "stretching_helps"), ("stretching eases it", "stretching_helps"),
    ("massage helps", "stretching_helps"),
    # pain_timing
    ("lasts a few seconds", "seconds"), ("over in a second", "seconds"),
    ("there all day every day", "constant"), ("it never lets up", "constant"),
    ("it comes and goes", "intermittent"), ("on and off", "intermittent"), ("now and again", "intermittent"),
    ("started two days ago", "new_onset"), ("it's a new pain", "new_onset"), ("began on monday", "new_onset"),
    ("getting worse", "worsening"), ("worse than it was", "worsening"),
    ("she's had it for years", "long_standing"), ("ongoing for months", "long_standing"),
    # mobility
    ("walks on her own", "walks_unaided"), ("still walks without help", "walks_unaided"),
    ("uses a stick", "walking_aid"), ("uses a zimmer", "walking_aid"),
    ("in a wheelchair", "wheelchair"), ("power chair user", "wheelchair"),
    ("bed bound", "bedbound"), ("bedridden now", "bedbound"),
]


FEATURE_LOOKALIKES = [
    ("she's hot-tempered", "heat"),
    ("a cold cup of tea", "infection"),
]


# ---------------------------------------------------------------- whole-picture vignettes

# Whole-picture single texts live in tests/vignettes.yml (ids "para_..."), in its format, so the
# vignette summary line counts them too; here they are checked one by one.
VIGNETTES = [c for c in yaml.safe_load((Path(__file__).resolve().parents[1] / "vignettes.yml").read_text())["cases"]
             if c["id"].startswith("para_")]




# ================================================================ round 2
# Written after the first round of fixes, without looking at the rules, to check that the
# fixes generalise (held-out phrasings). Merged into the same tests.
PRESENT['bladder_bowel'] += [
    "mum's peed the bed again last night, that's 3 nights running and it never used to happen",
    "he can't wee, he's been sat on the toilet for ages and nothing",
    'my wife has started having bowel accidents this week',
    "dad didn't make it to the toilet today and had an accident, first time ever",
    'he hasnt passed water all day',
    "she's had diarrhoea and can't hold it, soiled the bed twice today",
    'urine just pouring out of him without him noticing since this morning',
    "my partner's bladder let go in the shop today",
    "he hasn't had a wee in 14 hours",
    "she's been leaking wee since yesterday and doesnt know its happening",
    "husband's become doubly incontinent over the weekend",
    "suddenly she can't control her wee",
    "he's not peed today at all",
    'woke up wet this morning, never happened before',
    "she can't go for a wee, she's tried all afternoon",
]
PRESENT['leg_weakness'] += [
    'her legs suddenly gave up on her',
    "dad's legs just folded under him",
    'legs went from under her in the kitchen',
    "yesterday she was walking with her frame, today she can't take a step",
    'sudden weakness in his legs',
    "she's gone really weak in both legs overnight",
    'his legs are giving way all the time since yesterday',
    "can't bear any weight on her legs since this morning",
    'her legs have just stopped working',
    "his legs went wobbly and he couldn't stand up today",
    'new weakness in her right leg since this morning',
    "she's dragging her legs suddenly and can't lift them",
]
PRESENT['leg_numbness'] += [
    'both his legs are numb since he woke up',
    "can't feel anything from the waist down",
    'her legs have gone numb and tingly today',
    'sudden loss of sensation in his legs',
    'she has no feeling in her feet since this afternoon',
    'his thighs went numb an hour ago',
    "her legs feel dead and she can't feel me touching them",
    'he says his legs feel like they belong to someone else since this morning',
    'went numb from the hips down',
    'numbness in both legs came on today',
]
PRESENT['saddle_numbness'] += [
    "she can't feel anything when she sits on the toilet",
    'his bum has gone numb',
    'numbness round her bottom and privates',
    'she says it feels numb down below since this morning',
    "he can't feel when he's wiping himself",
    'no feeling in her vagina',
    'his testicles and bum feel numb',
    'tingling numb feeling in her saddle area',
    "she's lost feeling around her genitals",
]
PRESENT['injury'] += [
    'mum fell over in the bathroom last night',
    'he slipped on the wet floor and went down',
    'she fell backwards off the toilet',
    'we had a fall during the transfer this morning',
    'the hoist strap broke and he dropped onto the bed frame',
    'she took a nasty fall yesterday',
    'he slid down out of his chair onto the floor',
    'the carer let go of her and she landed on her bottom',
    'he fell off the commode',
    'she fell onto her back getting out of the car',
    'her walker slipped and she went down hard',
    'had a bad fall in the garden',
]
PRESENT['fever'] += [
    "she's got a temperature of 38",
    "he's been feverish since last night",
    'temperature 38.7C',
    'running a high temperature',
    'she feels hot and clammy and her temp is 38.3',
    'he has a fever and is shivering',
    'temp is up at 39.1',
    "she's got a temp and chills",
    'thermometer read 38.4 this morning',
    'high fever since yesterday',
    "she's really hot, sweating and shaking",
    "he's got rigors",
]
PRESENT['breathing'] += [
    "she's really struggling to breathe tonight",
    "he's short of breath even at rest",
    "he can't breathe lying down",
    'her breathing has got much worse since yesterday',
    "he's breathing very fast and shallow",
    'she keeps gasping',
    'her lips look blue',
    "he's breathless after a few words",
    "she can't get her breath",
    'breathing is laboured and noisy',
    "he's needing his cpap more",
    "she says she feels like she's suffocating",
    "he can't breathe properly",
    'she wakes up choking and breathless at night',
]
NEGATED['bladder_bowel'] += [
    'no bladder issues',
    'no bowel or bladder changes',
    'bladder and bowels are ok',
    "she's not been incontinent",
    'no problems peeing',
]
NEGATED['leg_weakness'] += [
    'her legs are no weaker',
    'no change in her leg strength',
    'legs not weak',
    "he hasn't got any weaker",
]
NEGATED['leg_numbness'] += [
    'no numbness',
    'no loss of feeling',
    "her legs aren't numb",
    'no numbness in his legs or feet',
]
NEGATED['saddle_numbness'] += [
    'no numbness around her bottom',
    'no numbness down there',
    'feeling around his bottom is fine',
]
NEGATED['injury'] += [
    'no recent falls',
    'hasnt fallen',
    "she's not had a fall",
    'no injury',
    'no falls or knocks',
]
NEGATED['fever'] += [
    'no temperature',
    "she's not feverish",
    'no temp',
    'temp is fine',
    'temperature 36.9',
]
NEGATED['breathing'] += [
    'no breathing issues',
    'breathing fine',
    'no breathlessness',
    'not short of breath',
]
LONG_STANDING['bladder_bowel'] += [
    "she's had urge incontinence for years, no change",
    'bladder problems since diagnosis, same as ever',
]
LONG_STANDING['leg_weakness'] += [
    'his legs have been getting weaker slowly over months',
    "she's been in a wheelchair for years because her legs are weak",
]
LONG_STANDING['leg_numbness'] += [
    'numb legs for years',
    'his feet have been numb for a long time',
]
LONG_STANDING['injury'] += [
    'she broke her back in a car crash 20 years ago',
]
LONG_STANDING['breathing'] += [
    "he's had shortness of breath for a couple of years, stable",
]
LOOKALIKES += [
    ('she rolled over in bed', 'injury'),
    ('the temperature outside was 100 today', 'fever'),
    ('she came off her medication', 'injury'),
    ('her legs feel heavy', 'leg_weakness'),
    ('he tripped the alarm', 'injury'),
    ('the price dropped', 'injury'),
    ('she dropped her cup', 'injury'),
    ('the nurse said her temperature was normal at 37', 'fever'),
    ("she's breathing through the pain", 'breathing'),
    ('it was a breathtaking view', 'breathing'),
    ('he was dropped off by the ambulance', 'injury'),
    ('she fell ill last week', 'injury'),
    ('she was hot and bothered', 'fever'),
    ('we had to drop her physio', 'injury'),
    ('he slipped into a routine', 'injury'),
    ('her pee smells strong', 'bladder_bowel'),
    ('he needs help to go to the toilet', 'bladder_bowel'),
    ("she can't go to the toilet on her own", 'bladder_bowel'),
    ("she can't walk far", 'leg_weakness'),
    ("he can't walk anymore", 'leg_weakness'),
    ("she's weak and tired today", 'leg_weakness'),
    ('his arms are weaker this week', 'leg_weakness'),
    ("she can't stand for long", 'leg_weakness'),
    ("he's cold and shivering after his bath", 'fever'),
]
CRISIS += [
    "I'm thinking about taking my own life",
    'she said she wants to end it',
    "he's talking about not wanting to be alive",
    "I feel like I can't go on anymore",
    'honestly some days I want to die',
    'he asked me to help him die',
    "I think he's suicidal",
    "I'm scared I'll hurt myself",
    "she says she'd rather be dead",
    'I keep thinking everyone would be better off without me',
    'i dont want to be here anymore',
    "I've had thoughts of harming myself",
    'he wishes he was dead',
    'she has lost the will to live',
]
NOT_CRISIS += [
    "I'm dying for a cup of tea",
    "she'd die of embarrassment",
    'killing time in the waiting room',
    'this heat is killing him',
    'we were dying of laughter',
    "she's scared of dying",
    "I'm exhausted",
    "I'm at the end of the day and tired",
    'my feet are killing me',
]
DOSE += [
    'can she take ibuprofen with baclofen',
    'how much paracetamol is safe',
    'what dose of gabapentin is normal',
    'is 900mg gabapentin a lot?',
    'can I give her two tablets instead of one',
    'when can she have her next dose',
    'can he take more than 4 paracetamol a day',
    'how much tizanidine should he be on',
    'should we increase her baclofen',
    'is it ok to give an extra painkiller tonight',
]
NOT_DOSE += [
    'her baclofen was increased last month',
    "she's on pregabalin",
    'he takes his tablets with food',
    'the GP changed her medication',
    'we give her paracetamol at night',
    'she had her tablets at 8',
]
CONDITIONS += [
    ('my partner has als', 'als'),
    ("ALS (lou gehrig's disease)", 'als'),
    ('he has motor neurone disease (MND)', 'als'),
    ('motor neurone desease', 'als'),
    ('lou gherigs', 'als'),
    ('she has multiple sclerosis (MS)', 'ms'),
    ('MS (relapsing remitting)', 'ms'),
    ('she has rr ms', 'ms'),
    ('he has secondary progressive', 'ms'),
    ("my wife's MS", 'ms'),
    ('multiple sclerosis, diagnosed 2015', 'ms'),
    ('multible sclerosis', 'ms'),
    ('multiple sclerossis', 'ms'),
    ('mutiple scelrosis', 'ms'),
    ('primary progressive', 'ms'),
    ('amyotropic lateral sclerosis', 'als'),
    ('Dad was diagnosed with Motor Neurone Disease', 'als'),
    ('mnd', 'als'),
    ('the MS nurse said', 'ms'),
    ("she's got ms", 'ms'),
]
FEATURES += [
    ('her lower spine', 'lower_back'),
    ('pain in the lumbar area', 'lower_back'),
    ('right down at the bottom of her back', 'lower_back'),
    ('across his kidneys', 'lower_back'),
    ('between her shoulder blades', 'upper_back'),
    ('in the middle of his back', 'middle_back'),
    ('round her waist', 'middle_back'),
    ('his neck and shoulders', 'neck'),
    ('just on the left side', 'one_side'),
    ('the right hand side of his back', 'one_side'),
    ("it's all over the place", 'widespread'),
    ('it moves from place to place', 'widespread'),
    ('radiates into her hip', 'radiating'),
    ('goes down to his knee', 'radiating'),
    ('travels down her leg', 'radiating'),
    ('a burning sensation', 'burning'),
    ("it's like her skin is on fire", 'burning'),
    ('tingles', 'tingling'),
    ('pins and needles', 'pins_and_needles'),
    ('like an electric shock', 'electric'),
    ('zinging down her spine', 'electric'),
    ('shooting down her leg', 'shooting'),
    ('knife-like pain', 'stabbing'),
    ('like a tight belt round her middle', 'squeezing_band'),
    ('the MS hug', 'squeezing_band'),
    ('her muscles are rock hard', 'tightness'),
    ('stiff in the mornings', 'stiffness'),
    ('his muscles cramp up', 'cramping'),
    ('her back muscles jump and twitch', 'spasm'),
    ('spasming', 'spasm'),
    ('a dull ache', 'dull_ache'),
    ('achy', 'dull_ache'),
    ('pounding pain', 'throbbing'),
    ("it's tender", 'soreness'),
    ('a bedsore on her bum', 'pressure'),
    ('her skin is red over her tailbone', 'pressure'),
    ('when she bends her head forward', 'neck_flexion'),
    ('when he looks down at his plate', 'neck_flexion'),
    ('looking down at her phone', 'neck_flexion'),
    ('worse after a hot shower', 'heat'),
    ('when she overheats', 'heat'),
    ("when he's anxious", 'stress'),
    ("when she's worn out", 'fatigue'),
    ('after a busy day', 'fatigue'),
    ("when she's jolted", 'sudden_movement'),
    ('when we roll her', 'position_change'),
    ('when he transfers', 'position_change'),
    ('after lifting the washing basket', 'lifting_bending_twisting'),
    ('when she bends down', 'lifting_bending_twisting'),
    ('after a walk', 'walking'),
    ('he limps', 'walking'),
    ('she leans to one side in her chair', 'posture'),
    ('sits hunched over', 'posture'),
    ('from lying in bed all day', 'prolonged_sitting_lying'),
    ('sitting for long periods', 'prolonged_sitting_lying'),
    ("worse when it's humid", 'humidity_temperature'),
    ('in cold weather', 'humidity_temperature'),
    ('her bra is too tight', 'tight_clothing'),
    ("with a waistband that's too tight", 'tight_clothing'),
    ('when he had a chest infection', 'infection'),
    ('comes on randomly', 'spontaneous'),
    ('for no obvious reason', 'spontaneous'),
    ('even when resting', 'rest_no_help'),
    ('resting helps', 'rest_helps'),
    ('better once she lies down', 'rest_helps'),
    ("doesn't ease with rest", 'rest_no_help'),
    ('a cushion behind her back helps', 'support_helps'),
    ('a back brace helps', 'support_helps'),
    ('shifting her position helps', 'repositioning_helps'),
    ('it eases when we reposition her', 'repositioning_helps'),
    ('changing position does nothing', 'position_no_difference'),
    ('nothing works', 'nothing_helps'),
    ('a warm bath eases it', 'stretching_helps'),
    ('heat pack helps', 'stretching_helps'),
    ('only for a second or two', 'seconds'),
    ('lasts a split second', 'seconds'),
    ("it's constant", 'constant'),
    ('all the time', 'constant'),
    ("it's there 24/7", 'constant'),
    ('off and on', 'intermittent'),
    ('it comes in bouts', 'intermittent'),
    ('started last night', 'new_onset'),
    ('it only started this week', 'new_onset'),
    ("it's new", 'new_onset'),
    ('getting steadily worse', 'worsening'),
    ('worse every day', 'worsening'),
    ("it's been going on for years", 'long_standing'),
    ('had it for ages', 'long_standing'),
    ('walks without a stick', 'walks_unaided'),
    ('walks with a frame', 'walking_aid'),
    ('uses crutches', 'walking_aid'),
    ('uses a walker', 'walking_aid'),
    ("he's in a powerchair", 'wheelchair'),
    ("she's a full time wheelchair user", 'wheelchair'),
    ('mostly bed-bound now', 'bedbound'),
    ("she's in bed all the time now", 'bedbound'),
]

# Ordinary caregiver messages with no red flag in them: nothing may be raised.
NO_FLAG = [
    "my wife has MS and her lower back aches after she's been sitting in her wheelchair all afternoon",
    'he rolled over in bed and said his back felt stiff',
    "we dropped her off at her sister's and she was fine",
    "she's been having a hard time lately, she gets upset about her legs being weak but that's been going on for years",
    'her back is sore where the hoist sling sits',
    "we use a hoist to get him out of bed and he's never been dropped",
    'he gets cramps in his back at night, the physio gave us stretches',
    'the district nurse came and said her temperature was fine',
    "she's always cold, we keep the heating up",
    'he gets a bit out of puff climbing the stairs, he has for years',
    'she takes a deep breath before we transfer her',
    "his bladder's been weak for years and he uses a catheter, no change",
    "she has a catheter and it's working fine",
    'her legs are spastic and stiff, same as always',
    'we went down to the coast for the weekend',
    'the pain went down a lot after the massage',
    'she fell asleep on the sofa and woke up stiff',
    'he slipped his shoes off and sat down',
    "she's a bit down today, missing her walks",
    'he loves the hot tub but it makes his back tingle afterwards',
    "my husband's voice is getting weaker and he's struggling to swallow, we have a speech therapist",
    "her arms are weak so she can't lift the cup",
    "the pain comes and goes, worse when she's tired",
    "he's got a cold and his back spasms are worse",
    'she had her flu jab today',
    "I'm knackered but we're ok",
    "she can't get to the toilet without help",
    'she goes to the toilet a lot at night, always has',
    "he's been sweating a lot in this heat",
    "she's lying down now and says it's easing",
    "we had a car in for repair, so we couldn't go to physio",
    'she said the shower was too hot',
    'the carers are rubbish, they never turn up on time',
    'his chest infection cleared up last month and his breathing is back to normal',
    'she uses her bipap at night, same as always',
    'her back hurts when we lift her',
    "he's a bit wobbly on his feet, has been for months",
]

# Answers to the red-flag screen question: (answer, flags, screen status).
SCREEN_ANSWERS = [
    ('none of those', set(), 'clear'),
    ('no', set(), 'clear'),
    ('nope, none', set(), 'clear'),
    ('no to all of them', set(), 'clear'),
    ('not that I know of', set(), 'clear'),
    ('not sure', set(), 'unsure'),
    ("i don't know, maybe the bladder", set(), 'unsure'),
    ('yes she wet herself last night', {'bladder_bowel'}, 'present'),
    ('just the fall last week', {'injury'}, 'present'),
    ('only the temperature', {'fever'}, 'present'),
    ("she's had a fever since yesterday", {'fever'}, 'present'),
    ('her legs are much weaker than usual', {'leg_weakness'}, 'present'),
    ('none apart from the numbness down below', {'saddle_numbness'}, 'present'),
    ('no, apart from she fell on tuesday', {'injury'}, 'present'),
    ('no falls, no fever, but her legs went numb this morning', {'leg_numbness'}, 'present'),
    ('the bladder thing but thats been for years', set(), 'clear'),
    ('yes', set(), 'present'),
    ('hmm not really', set(), 'clear'),
    ("well her bladder's always been a bit dodgy but nothing new", set(), 'clear'),
    ('she struggles with breathing', {'breathing'}, 'present'),
]

# A red flag told while answering another question escalates all the same.
OTHER_TOPIC_ANSWERS = [
    ('pain_location', "lower back, and she's wet herself twice today", {'bladder_bowel'}),
    ('pain_feel', 'burning. oh and she had a fall yesterday', {'injury'}),
    ('mobility', 'wheelchair, she came off the hoist this morning though', {'injury'}),
    ('pain_timing', "comes and goes, but she's got a temp of 38 tonight", {'fever'}),
    ('pain_trigger', "heat, and she's been gasping for breath this evening", {'breathing'}),
    ('mobility', 'walks with a stick, legs have always been weak', set()),
    ('pain_relief', 'rest helps. her legs gave way earlier', {'leg_weakness'}),
]


# ================================================================ round 3
# Run-on messages mixing denied, long-standing and new findings (scope of negation and chronicity).
MIXED += [
    ('hi my mum has ms and shes had back pain for about a week its in her lower back and it burns, she hasnt had a temperature and she hasnt fallen but last night she wet the bed which she never does', {'bladder_bowel'}),
    ("Dad (ALS) - back's been sore for days. No falls, no fever. Breathing's a bit worse than usual at night, he's waking up gasping", {'breathing'}),
    ('she doesnt sleep well and wet herself this morning', {'bladder_bowel'}),
    ("he isn't himself today and he's burning up", {'fever'}),
    ('no problems with her bladder, bowels, legs or breathing', set()),
    ('not had any falls, fevers, numbness or weakness', set()),
    ("she's not been right since the fall on saturday", {'injury'}),
    ("he denies any numbness but his wife says he can't feel his feet since yesterday", {'leg_numbness'}),
    ('her legs have always been weak but today they just gave way completely', {'leg_weakness'}),
    ("his breathing is the same as always, bipap at night, but he's got a temp of 38.9", {'fever'}),
    ("she's been incontinent for years. no change there. the pain is new though", set()),
    ("i wouldn't say she's breathless, just tired", set()),
    ("no idea if she's got a temperature, she feels a bit warm", set()),
    ('temp is 37.1, no fever', set()),
    ("he didn't fall, he just sat down hard", set()),
    ('she can walk but her legs feel weaker than they did last week', set()),
    ("mum hasn't been able to wee since this morning and her back is killing her", {'bladder_bowel'}),
    ('husband has mnd, legs are weak as usual, bladder normal, no fever, but this afternoon he slid out of his wheelchair', {'injury'}),
    ("she was fine yesterday but this morning she couldn't stand up at all, her legs just wouldn't hold her", {'leg_weakness'}),
    ('no temp, breathing normal, not incontinent, no falls, legs the same', set()),
    ('hes got numbness in his bum and cant feel when hes had a poo', {'saddle_numbness'}),
]
LOOKALIKES += [
    ('she rolled over in bed and her back twinged', 'injury'),
    ("we're going up to bed now", 'leg_weakness'),
    ("she's been peeing a lot at night for years", 'bladder_bowel'),
    ('the bed was soaked with sweat', 'bladder_bowel'),
    ('his temperature is 36.5', 'fever'),
    ("she's not been right since her relapse in march", 'injury'),
    ("he's gasping for a brew", 'breathing'),
    ('she dropped her glasses', 'injury'),
    ('the falls clinic rang', 'injury'),
    ("I'm hot and bothered", 'fever'),
]


# Screen answers that clear a flag by naming it ("her legs are fine"): a flag word alone answers
# the screen, so "fine / ok / normal" after it must clear it, not raise it.
SCREEN_ANSWERS += [
    ("her legs are fine", set(), "clear"),
    ("bladder's ok", set(), "clear"),
    ("breathing is fine", set(), "clear"),
    ("temperature normal", set(), "clear"),
    ("legs ok, bladder ok, no temp", set(), "clear"),
    ("breathing is good, temp is normal, no falls", set(), "clear"),
    ("the breathing is fine but the bladder one yes", {"bladder_bowel"}, "present"),
    ("her legs are ok but she did fall last week", {"injury"}, "present"),
    ("yes the legs", {"leg_weakness"}, "present"),
    ("she wet herself, she's fine otherwise", {"bladder_bowel"}, "present"),
    ("he fell but he's ok", {"injury"}, "present"),
]
MIXED += [
    ("she fell, she's fine", {"injury"}),
    ("he's wet himself, all good now though", {"bladder_bowel"}),
]

CRISIS += [
    "no one would care if I killed myself",
    "nobody would miss me if I was gone",
    "I never want to wake up again",
    "I'm not coping, I want to die",
    "I don't want to die but I can't go on",
]
NOT_CRISIS += [
    "I'm not suicidal, just tired",
    "she'd never hurt herself",
]


# ================================================================ tests

# ---------------------------------------------------------------- flags by category

def _rows(table):
    return [(flag, text) for flag, texts in table.items() for text in texts]


@pytest.mark.parametrize("flag,text", _rows(PRESENT))
def test_red_flag_present(flag, text):
    assert flag in flags(text), f"missed {flag}: {text!r}"


@pytest.mark.parametrize("flag,text", _rows(NEGATED))
def test_red_flag_negated(flag, text):
    got = flags(text)
    assert flag not in got, f"denied {flag} raised: {text!r}"
    assert not got, f"denied mention raised {got}: {text!r}"


@pytest.mark.parametrize("flag,text", _rows(LONG_STANDING))
def test_red_flag_long_standing(flag, text):
    got = flags(text)
    assert flag not in got, f"long-standing {flag} raised: {text!r}"


@pytest.mark.parametrize("text,flag", LOOKALIKES)
def test_red_flag_lookalike(text, flag):
    assert flag not in flags(text), f"look-alike raised {flag}: {text!r}"


def test_red_flag_tables_are_big_enough():
    for flag in bot.RED_FLAGS:
        assert len(PRESENT[flag]) >= 15, flag
        assert len(NEGATED[flag]) >= 6, flag
        assert len(LONG_STANDING[flag]) >= 5, flag


@pytest.mark.parametrize("text,expected", MIXED)
def test_red_flags_mixed_messages(text, expected):
    assert flags(text) == expected


def test_red_flag_in_any_answer_escalates():
    case = bot.read_message(None, "my wife has MS")
    case = bot.read_message(case, "it's in her lower back and honestly she's had a temp of 38 since last night", "pain_location")
    assert "fever" in case["red_flags"] and bot.needs_escalation(case)


def test_screen_message_sees_the_same_flags():
    assert "saddle_numbness" in bot.screen_message("since this morning she can't feel between her legs")["red_flags"]
    assert bot.screen_message("he fell asleep watching telly")["red_flags"] == []


@pytest.mark.parametrize("text", CRISIS)
def test_crisis(text):
    assert _case(text)["last"]["crisis"], text
    assert bot.screen_message(text)["crisis"], text


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_not_crisis(text):
    assert not _case(text)["last"]["crisis"], text


@pytest.mark.parametrize("text", DOSE)
def test_dose_question(text):
    assert _case(text)["last"]["dose_question"], text


@pytest.mark.parametrize("text", NOT_DOSE)
def test_not_dose_question(text):
    assert not _case(text)["last"]["dose_question"], text


@pytest.mark.parametrize("text,condition", CONDITIONS)
def test_condition(text, condition):
    assert _case(text)["condition"] == condition, text


@pytest.mark.parametrize("text,feature", FEATURES)
def test_feature(text, feature):
    assert feature in features(text), f"{feature} missed: {text!r}"


@pytest.mark.parametrize("text,feature", FEATURE_LOOKALIKES)
def test_feature_lookalike(text, feature):
    assert feature not in features(text)


@pytest.mark.parametrize("case", VIGNETTES, ids=[c["id"] for c in VIGNETTES])
def test_vignette(case):
    result = bot.assess(case["text"])
    assert result["condition"] == case["condition"]
    assert sorted(result["red_flags"]) == sorted(case["red_flags"])
    assert result["triage"] == case["triage"]
    assert result["pain_type"] == case["pain_type"]


def test_vignette_count():
    assert len(VIGNETTES) >= 25


# ---------------------------------------------------------------- speed

def test_read_message_stays_fast():
    text = ("my wife has MS, burning tingling pain low in her back for no reason, worse in the heat, "
            "no fever, hasn't fallen, bladder has been weak for years, nothing new, breathing fine")
    bot.read_message(None, text)
    start = time.perf_counter()
    for _ in range(20):
        bot.read_message(None, text)
    assert (time.perf_counter() - start) / 20 < 0.05


# ---------------------------------------------------------------- round 2 tests

@pytest.mark.parametrize("text", NO_FLAG)
def test_ordinary_message_raises_no_flag(text):
    assert flags(text) == set(), text


BASE = "my wife has MS and her lower back hurts, burning"


@pytest.mark.parametrize("text,expected,screen", SCREEN_ANSWERS)
def test_red_flag_screen_answer(text, expected, screen):
    case = bot.read_message(bot.read_message(None, BASE), text, "red_flag_screen")
    assert set(case["red_flags"]) == expected
    assert case["red_flag_screen"] == screen


@pytest.mark.parametrize("topic,text,expected", OTHER_TOPIC_ANSWERS)
def test_red_flag_told_in_another_answer(topic, text, expected):
    case = bot.read_message(bot.read_message(None, BASE), text, topic)
    assert set(case["red_flags"]) == expected


def test_screen_words_mean_nothing_outside_the_screen():
    # "the temperature" answers the screen question, but in a description it is only a word
    assert flags("only the temperature") == set()
    assert "fever" in flags("only the temperature", "red_flag_screen")


@pytest.mark.xfail(reason="ellipsis: 'can't' with its verb left out refers back to 'stand'; not read", strict=True)
def test_known_gap_ellipsis():
    assert "leg_weakness" in flags("he could barely stand this morning and now he can't at all")
