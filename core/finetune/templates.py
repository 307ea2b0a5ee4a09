"""The templates and value pools of the everyday demo sets (core/finetune/demo.py), written for this project.

Each sentence shape is ours; slots in braces are filled by the generators: {s}/{S} a subject (lower / capitalised),
{a} {b} {c} adjectives of the verdict, {o} one of the opposite verdict, {e}/{E} an event; {PER} {LOC} {ORG} …
entities; QA slots are named after what they hold.
"""

from __future__ import annotations

ADVERBS = ("", "", "really ", "very ", "so ", "absolutely ", "quite ", "incredibly ", "truly ", "pretty ")
# {s}: a subject ("the food"); {a}, {b}: adjectives of the verdict; {o}: one of the opposite verdict; {e}: an event.
VERDICT_TEMPLATES = (
    "{S} was {adv}{a}.", "{S} is {adv}{a}.", "{S} was {adv}{a} and {s2} was {b}.", "I thought {s} was {adv}{a}.",
    "Honestly, {s} was {a}.", "{S} was {a}, {b} and {c}.", "We found {s} {adv}{a}.", "{S}? {A}!",
    "{S} turned out to be {adv}{a}.", "Everyone agreed that {s} was {a}.", "{S} was {o} at first, but in the end it was {a}.",
    "{S} looked {o}, but it was {adv}{a}.", "Although {s} was {o}, {s2} was {adv}{a}.", "{S} was not {o} at all.",
    "{S} was {adv}{a}, as always.", "I have to say {s} was {a}.", "{S} was far from {o}.", "{S} was {a}. {E}.",
    "My friends said {s} was {a}, and they were right.", "{S} could not have been more {a}.",
)
PRAISE = ("I loved {s}.", "I really enjoyed {s}.", "We had a great time.", "I would definitely recommend {s}.",
          "Best {n} I have ever had.", "What a {a} {n}!", "Five stars for {s}.", "Thank you for {s}, it made my day.",
          "I can't wait to go back.", "I'm so glad we chose {s}.", "{S} made me smile.", "{E}, so I'm very happy.",
          "Absolutely worth every penny.", "I was not disappointed.", "{E}!", "I'd give {s} ten out of ten.")
COMPLAINT = ("I hated {s}.", "I did not enjoy {s} at all.", "We had an awful time.", "I would never recommend {s}.",
             "Worst {n} I have ever had.", "What a {a} {n}!", "One star for {s}, and that is generous.",
             "Never again.", "I'm so sorry we chose {s}.", "{S} made me angry.", "{E}, so I'm really upset.",
             "A complete waste of money.", "I was very disappointed.", "{E}.", "I regret going.",
             "{S} ruined the whole day.")


# Entity slots (core/finetune/demo.py SLOT_KINDS): {PER} {PER2} {SUR}, {LOC} {LOC2}, {ORG} {ORG2}, and MISC: {NAT}
# {LANG} {LANG2} {EVENT} {PRODUCT}. Punctuation is a word of its own.
NER_TEMPLATES = (
    "{PER} flew from {LOC} to {LOC2} on Monday .", "{PER} works for {ORG} in {LOC} .",
    "Yesterday {PER} met {PER2} for lunch in {LOC} .", "{ORG} has opened a new office in {LOC} .",
    "My sister moved to {LOC} last year and loves it .", "{PER} was born in {LOC} in 1984 .",
    "According to {ORG} , prices in {LOC} rose again in May .", "Have you ever been to {LOC} ?",
    "{PER} , who grew up in {LOC} , now teaches at {ORG} .", "The {NAT} team arrived in {LOC} on Friday .",
    "We spent {EVENT} with {PER} and the kids .", "{PER2} said the meeting with {ORG} went well .",
    "{ORG} hired {PER} as its new director .", "Did {PER} really leave {ORG} ?",
    "The train from {LOC} to {LOC2} was full again .", "{PER} speaks {LANG} and a little {LANG2} .",
    "A spokesperson for {ORG} declined to comment .", "{PER} and {PER2} are getting married in {LOC} .",
    "Tickets for the final of {EVENT} sold out in an hour .", "I bought my phone from {ORG} in {LOC} .",
    "{LOC} is beautiful in the spring .", "Thanks to {PER} , the event in {LOC} was a success .",
    "{ORG} and {ORG2} signed the deal on Tuesday .", "The weather in {LOC} was terrible all week .",
    "Dr {SUR} from {ORG} gave a talk about sleep .", "Mrs {SUR} lives next door to us .",
    "{PER} scored twice as {ORG} beat {ORG2} .", "Our guide , {PER} , showed us around {LOC} .",
    "The {NAT} restaurant near the station closed down .", "{PER} wrote to {ORG} to complain .",
    "After ten years at {ORG} , {PER} started a bakery .", "She called {PER} from the airport in {LOC} .",
    "The river runs from {LOC} down to {LOC2} .", "{PER} is the best player {ORG} has ever had .",
    "I met {PER} at a conference in {LOC} .", "They drove across {LOC} in three days .",
    "Ask {PER} , he knows everything about {LOC} .", "{ORG} will close its shops in {LOC} next month .",
    "The kids watched {EVENT} on television .", "{PER} 's new book is set in {LOC} .",
    "We stayed with {PER} 's family outside {LOC} .", "Last night {ORG} announced record profits .",
    "The flight to {LOC} was delayed by two hours .", "{PER} has joined {ORG} as a nurse .",
    "Students from {ORG} visited {LOC} in June .", "Nobody at the party knew {PER} .",
    "Breaking news : {ORG} has agreed to buy {ORG2} .", "Why did {PER} leave {LOC} so suddenly ?",
    "In {LOC} , {PER} and {PER2} opened a small bookshop .", "{PER} ( {ORG} ) and {PER2} ( {ORG2} ) spoke first .",
    "Flights to {LOC} and {LOC2} were cancelled .", "My {PRODUCT} stopped working after a week .",
    "{PER} told reporters in {LOC} that {ORG} would appeal .", "Is {PER} still working for {ORG} ?",
    "Police in {LOC} are looking for a missing dog .", "The {NAT} government met {ORG} officials on Monday .",
    "{PER} , a nurse from {LOC} , won the {NAT} lottery .", "We celebrated {EVENT} at {PER} 's house in {LOC} .",
    "Last summer I drove from {LOC} to {LOC2} with {PER} .", "{ORG} fans celebrated in the streets of {LOC} .",
    "Meet {PER} , our new neighbour from {LOC} .", "{PER} translated the book from {LANG} into {LANG2} .",
    "The report by {ORG} was published on Tuesday .", "Thousands of people watched {EVENT} in {LOC} .",
    "She studied at {ORG} before moving to {LOC} .", "{SUR} said the plan would cost too much .",
    "Everyone in the village knows {PER} .", "I'd love to visit {LOC} one day .",
    "The weather was lovely , so we stayed outside .", "He paid for the tickets and went home .",
    "My neighbour works at the bank on the corner .", "The shop was closed , so we went home .",
    "I made soup and bread for dinner .", "It rained all weekend , but we still went out .",
    "Our teacher showed us a film about the ocean .", "The city council will meet on Thursday .",
)


STORIES = (
    ("I left my umbrella at home this morning.", "By lunchtime I was soaked to the skin."),
    ("The baby finally fell asleep at nine.", "We tiptoed out of the room and closed the door."),
    ("Our car would not start on Monday.", "So we took the bus to work instead."),
    ("Tom burnt the toast again.", "The smoke alarm went off and woke the whole house."),
    ("The shop had run out of bread.", "I bought a bag of rolls instead."),
    ("She practised the piano every evening for a year.", "At the school concert she played without a single mistake."),
    ("The dog heard the doorbell.", "It ran to the door, barking loudly."),
    ("We missed the last train home.", "We had to share a taxi with two strangers."),
    ("It snowed heavily all night.", "In the morning the schools were closed."),
    ("My phone fell into the sink.", "Now the screen only shows a grey line."),
    ("The restaurant was fully booked.", "We ended up eating fish and chips on the beach."),
    ("He forgot his sister's birthday.", "The next day he turned up with flowers and an apology."),
    ("The tomatoes in the garden turned red at last.", "We picked a basket of them for a salad."),
    ("The lecture started at eight.", "Half the students arrived late and sleepy."),
    ("A storm knocked the power out.", "We played cards by candlelight until midnight."),
    ("The kitten climbed to the top of the tree.", "It took a ladder and two neighbours to get it down."),
    ("I signed up for a marathon in spring.", "Since then I have been running every morning."),
    ("The printer jammed in the middle of my report.", "I had to copy the last pages by hand."),
    ("Grandma taught me her soup recipe.", "Now I make it every winter."),
    ("The bus driver waited for the old man.", "He thanked her with a big smile as he climbed on."),
    ("Our flight was delayed by six hours.", "The airline gave everyone a voucher for dinner."),
    ("The team lost the first three matches.", "Then a new coach arrived and everything changed."),
    ("My neighbour plays the drums.", "I now sleep with earplugs."),
    ("The milk had gone sour.", "I poured it down the sink and drank my tea black."),
    ("We painted the kitchen yellow.", "It looks much brighter in the mornings now."),
    ("He lost his wallet at the market.", "A girl found it and handed it to the police."),
    ("The river burst its banks in the night.", "By morning the fields were under water."),
    ("I tried to bake a cake for the first time.", "It sank in the middle, but it tasted fine."),
    ("The library is closing for repairs.", "Until June, books can be borrowed from the school."),
    ("The children built a snowman in the garden.", "They gave it a carrot nose and an old hat."),
    ("Our landlord raised the rent again.", "We started looking for a cheaper flat."),
    ("She found an old photo in the attic.", "It showed her grandparents on their wedding day."),
    ("The concert was sold out.", "We listened to it from the park outside."),
    ("I forgot to water the plants for two weeks.", "Most of them did not survive."),
    ("The new café opened on our street.", "There has been a queue outside every morning."),
    ("He dropped the glass on the floor.", "Tiny pieces flew under the fridge."),
    ("The heating broke in December.", "We wore coats indoors for a week."),
    ("My brother got a puppy for his birthday.", "It chewed his new trainers the same night."),
    ("We got lost on the way to the wedding.", "We arrived just as the bride walked in."),
    ("The teacher set a surprise test.", "Nobody in the class had studied for it."),
    ("The lift was out of order.", "We carried the sofa up five floors."),
    ("It was the hottest day of the year.", "The beach was packed by ten o'clock."),
    ("The ferry was cancelled because of the wind.", "We spent another night on the island."),
    ("My alarm did not go off.", "I woke up twenty minutes before the interview."),
    ("The apples fell from the tree all week.", "We made jam, pies and juice."),
    ("The football hit the window.", "Everyone ran before anyone could see who kicked it."),
    ("She won a trip to Paris in a raffle.", "She had never been abroad before."),
    ("The washing machine started leaking.", "Water spread across the kitchen floor."),
    ("The cat brought a mouse into the house.", "It dropped it proudly at my feet."),
    ("We ordered pizza for the party.", "It arrived cold and an hour late."),
)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "fifteen", "twenty",
           "thirty", "forty", "fifty", "a hundred", "11", "14", "18", "25", "36", "60", "120", "200")
# A count as people say it: plain, or with a hedge that belongs to the answer ("more than fifty").
COUNT_HEDGES = ("", "", "", "about ", "more than ", "nearly ", "over ", "almost ", "exactly ")
CLOCKS = ("7:15", "8:30", "9:45", "noon", "half past six", "ten o'clock", "6:20", "11:05", "midnight", "5 pm",
          "three in the morning", "four in the afternoon", "a quarter past nine", "seven in the evening")
LATE_CLOCKS = ("midnight", "half past eleven", "one in the morning", "ten at night", "eleven in the evening",
               "three in the morning")
ITEMS = ("apples", "oranges", "eggs", "tomatoes", "lemons", "loaves of bread", "bottles of milk", "potatoes",
         "candles", "books", "plants", "postcards", "balloons", "chairs")
JOBS = ("nurse", "teacher", "baker", "pilot", "carpenter", "chemist", "gardener", "lawyer", "journalist", "plumber",
        "dentist", "mechanic", "librarian", "chef", "firefighter")
VENUES = ("the village hall", "a small Italian restaurant", "the community centre", "the old cinema",
          "the sports club", "a pub by the river", "the school gym", "her grandmother's farm", "the town square")
PETS = (("Biscuit", "dog"), ("Luna", "cat"), ("Pepper", "puppy"), ("Max", "dog"), ("Coco", "rabbit"),
        ("Mango", "parrot"), ("Shadow", "cat"), ("Bella", "spaniel"))
PARKS = ("Victoria Park", "the woods behind the school", "the botanical garden", "Riverside Park", "the city park")
REASONS = {
    "walk": ("the bus broke down", "the last train had gone", "the car ran out of petrol", "the roads were closed for a race",
             "a taxi never came"),
    "storm": ("a storm", "heavy snow", "a flood", "a fallen tree", "a landslide"),
    "cook": ("it was a friend's fortieth birthday", "the family was visiting from abroad", "the restaurant was closed",
             "everyone had helped with the move", "it was the last day of term"),
    "move": ("the rent was much cheaper", "a new job was waiting there", "the family wanted to live near the sea",
             "the company opened an office there", "the schools were better", "the winters were milder"),
    "late": ("a tree had fallen on the line", "the driver was ill", "there was snow on the tracks",
             "a signal had failed", "the doors would not close"),
    "cancel": ("the bus broke down", "heavy rain flooded the road", "too many children were ill",
               "the museum was closed for repairs", "a storm was coming"),
    "miss": ("the car had a flat tyre", "the alarm did not go off", "the baby was ill", "the trains were on strike",
             "the email went to the wrong address"),
    "learn": ("the family plans to move abroad", "the new job needs it", "a friend from school speaks it",
              "it helps when travelling", "the grandparents speak nothing else"),
}
LANGUAGES = ("Spanish", "French", "Japanese", "German", "Italian", "Arabic", "Portuguese", "Korean", "Greek")
SUBJECTS_TAUGHT = ("history", "maths", "music", "chemistry", "art", "geography", "biology", "French")
PRICES = ("$25", "$340", "12 euros", "80 euros", "40 pounds", "£15", "$9.50", "300 dollars")
THINGS = ("bicycle", "sofa", "guitar", "camera", "lamp", "winter coat", "laptop", "rug", "kettle", "tent")
# An answer is the whole noun phrase, article and modifiers included ("a second-hand guitar", not "guitar").
THING_MODIFIERS = ("second-hand", "old", "nearly new", "bright red", "folding", "cheap", "tiny", "heavy", "electric")
SHOPS = ("a charity shop", "a small shop", "an antiques shop", "a market stall", "a second-hand shop",
         "a music shop", "the flea market")
# Reasons said as a noun phrase ("because of a broken signal").
LATE_CAUSES = ("a broken signal", "snow on the line", "a fallen tree", "a points failure", "a broken-down freight train",
               "flooding near the station", "a shortage of drivers", "cows on the track")
GROUPS = ("chess club", "choir", "running group", "knitting circle", "film society", "gardening club",
          "youth orchestra", "drama group")
RECURRING = ("the first {day} of every month", "every {day} evening", "the last {day} of the month",
             "every other {day}", "{day} mornings", "the second {day} of each month")
LODGINGS = ("a small hotel", "a guest house", "a hostel near the station", "a family-run inn", "a flat above a cafe",
            "a cottage by the harbour")
ROOM_FEATURES = ("a view of the harbour", "a tiny kitchen", "two narrow beds", "a desk by the window",
                 "a terrace over the garden", "a huge old bath", "a fireplace", "a balcony with two chairs")
RACES = ("city marathon", "half marathon", "charity swim", "ten-kilometre run", "mountain bike race", "cycling race",
         "fun run")
DURATIONS = ("three hours and twenty minutes", "fifty-five minutes", "an hour and a half", "just under three hours",
             "two hours and five minutes", "forty minutes", "five hours and a quarter")
STALL_GOODS = (("cheese and bread", "the goat's cheeses"), ("flowers and plants", "the tulips"),
               ("second-hand books", "the cookery books"), ("honey and jam", "the strawberry jam"),
               ("hot snacks", "the spicy samosas"), ("fish", "the fresh mussels"), ("toys", "the wooden trains"))
# People named by who they are to someone ("Who baked the cake?" — "her dad").
RELATIONS = ("her dad", "his aunt", "their neighbour", "an old school friend", "her cousin", "his grandmother",
             "the man next door", "her older brother", "his best friend", "a colleague from work")
DISHES = ("a big pot of soup", "lasagne", "a lemon cake", "chicken curry", "pancakes", "a vegetable stew", "paella")
DISTANCES = ("two kilometres", "three miles", "five kilometres", "half a mile", "four kilometres")
STREETS = ("Mill Lane", "King Street", "the high street", "Church Road", "Station Road", "Market Square")

# (sentence variants, [(question, answer), …]); an answer is one slot of the sentence, or "a..b": from slot a to
# slot b. The variants say the same fact in other words, so a question rarely repeats its sentence word for word.
QA_FRAMES = (
    (("{p} moved to {city} {prep}{when} because {why}.", "{Prep}{when_cap}, {p} moved to {city}, since {why}.",
      "{why_cap}, so {p} moved to {city} {prep}{when}."),
     [("Where did {p} move to?", "city"), ("Which city did {p} move to?", "city"), ("When did {p} move to {city}?", "when"),
      ("Why did {p} move to {city}?", "why"), ("Who moved to {city}?", "p"), ("Why did {p} move?", "why")]),
    (("On {day}, {p} bought {n} {item} at the market.", "{p} went to the market on {day} and came home with {n} {item}."),
     [("How many {item} did {p} buy?", "n"), ("What did {p} buy at the market?", "n..item"),
      ("When did {p} go to the market?", "day"), ("Who bought {item} at the market?", "p"),
      ("What did {p} get at the market?", "n..item")]),
    (("The train to {city} left at {clock} and arrived {n} minutes late because {why_late}.",
      "The {clock} train to {city} was {n} minutes late, as {why_late}."),
     [("What time did the train to {city} leave?", "clock"), ("Why was the train to {city} late?", "why_late"),
      ("How many minutes late was the train?", "n"), ("Where was the train going?", "city"),
      ("Why was the train delayed?", "why_late")]),
    (("{p} works as a {job} at {org} in {city}.", "{p} is a {job}; for six years now {p} has worked at {org} in {city}."),
     [("What does {p} do for a living?", "job"), ("What is {p}'s job?", "job"), ("Where does {p} work?", "org"),
      ("Who works at {org}?", "p"), ("In which city does {p} work?", "city")]),
    (("On {dayevening}, {n} friends came to {p}'s birthday party at {venue}.",
      "{p}'s birthday party was held at {venue} on {dayevening}, and {n} friends came."),
     [("How many friends came to {p}'s party?", "n"), ("Where was {p}'s birthday party?", "venue"),
      ("When was {p}'s birthday party?", "dayevening"), ("Whose birthday party was it?", "p"),
      ("How many guests came to the party?", "n"), ("Where was the party held?", "venue")]),
    (("{team} beat {team2} {score} in the final on {day}.", "In the final on {day}, {team2} lost {score} to {team}."),
     [("Who won the final?", "team"), ("Who did {team} beat in the final?", "team2"),
      ("What was the score of the final?", "score"), ("When was the final played?", "day"), ("Who lost the final?", "team2")]),
    (("The school trip to {place} was cancelled because {why_cancel}.",
      "{why_cancel_cap}, so the school trip to {place} was called off."),
     [("Why was the school trip cancelled?", "why_cancel"), ("Where was the school trip going?", "place"),
      ("Why did the school trip not happen?", "why_cancel")]),
    (("{p} lost {pet}, a {animal}, in {park} on {daymorning}.",
      "On {daymorning}, {p}'s {animal} {pet} ran off in {park}."),
     [("What is the name of {p}'s {animal}?", "pet"), ("Where did {p} lose {pet}?", "park"),
      ("When did {p} lose {pet}?", "daymorning"), ("Who lost a {animal}?", "p"), ("What kind of animal is {pet}?", "animal")]),
    (("{p} has lived in {city} for {ny} {yrs}.", "For {ny} {yrs} now, {p} has lived in {city}."),
     [("How long has {p} lived in {city}?", "ny..yrs"), ("Where does {p} live?", "city"),
      ("How many years has {p} lived in {city}?", "ny")]),
    (("{p} and {p2} got married in {city} in {month}.", "{p} married {p2} in {month}; the wedding was in {city}."),
     [("Who did {p} marry?", "p2"), ("Where did {p} and {p2} get married?", "city"),
      ("When did {p} and {p2} get married?", "month"), ("Where was the wedding?", "city")]),
    (("{p} is learning {language} because {why_learn}.", "{p} has started {language} lessons, since {why_learn}."),
     [("Why is {p} learning {language}?", "why_learn"), ("What language is {p} learning?", "language"),
      ("Which language is {p} studying?", "language")]),
    (("The bakery on {street} opened in {year} and now sells {n} cakes a day.",
      "Since it opened in {year}, the bakery on {street} has sold about {n} cakes a day."),
     [("When did the bakery on {street} open?", "year"), ("How many cakes does the bakery sell a day?", "n"),
      ("Where is the bakery?", "street")]),
    (("{p} was born in {city}, {country}, in {year}.", "Born in {year} in {city}, {country}, {p} grew up by the sea."),
     [("Where was {p} born?", "city"), ("When was {p} born?", "year"), ("In which country was {p} born?", "country"),
      ("In what year was {p} born?", "year")]),
    (("{p} missed the meeting on {day} because {why_miss}.", "{p} could not get to the meeting on {day}: {why_miss}."),
     [("Why did {p} miss the meeting?", "why_miss"), ("When was the meeting that {p} missed?", "day"),
      ("Who missed the meeting?", "p")]),
    (("{p} paid {price} for {a_thing} at {shop} on {street}.",
      "At {shop} on {street}, {p} found {a_thing} for {price}."),
     [("How much did {p} pay for the {thing}?", "price"), ("What did {p} buy?", "a_thing"),
      ("Where did {p} buy the {thing}?", "shop..street"), ("How much did the {thing} cost?", "price"),
      ("On which street did {p} buy the {thing}?", "street")]),
    (("{p} teaches {taught} at a school in {city}.", "At a school in {city}, {p} teaches {taught} to teenagers."),
     [("What does {p} teach?", "taught"), ("Where does {p} teach?", "city"), ("Who teaches {taught}?", "p"),
      ("What subject does {p} teach?", "taught")]),
    (("About {n} people came to the concert at {venue} on {daynight}.",
      "The concert at {venue} on {daynight} drew a crowd of about {n} people."),
     [("How many people came to the concert?", "n"), ("Where was the concert?", "venue"),
      ("When was the concert?", "daynight"), ("How big was the crowd at the concert?", "n")]),
    (("{storm_cap} closed {road} for {nh} {hrs} on {day}.", "On {day}, {road} was closed for {nh} {hrs} after {storm}."),
     [("How long was the road to {city} closed?", "nh..hrs"), ("For how many hours was the road closed?", "nh"),
      ("When was the road to {city} closed?", "day"),
      ("Which road did the storm close?", "road"), ("Why was the road to {city} closed?", "storm")]),
    (("{p} cooked {dish} for {n} guests because {why_cook}.", "{why_cook_cap}, so {p} made {dish} for {n} guests."),
     [("What did {p} cook?", "dish"), ("How many guests did {p} cook for?", "n"), ("Why did {p} cook {dish}?", "why_cook"),
      ("Who cooked {dish}?", "p")]),
    (("{p} had to walk the last {km} to {venue} because {walk_why}.", "{walk_why_cap}, so {p} walked the last {km} to {venue}."),
     [("Why did {p} walk to {venue}?", "walk_why"), ("How far did {p} walk?", "km"), ("Where was {p} going?", "venue"),
      ("Why did {p} have to walk?", "walk_why")]),
    (("{rel_cap} baked {dish} for {p}'s birthday on {day}.", "For {p}'s birthday on {day}, {rel} made {dish}."),
     [("Who baked {dish} for {p}'s birthday?", "rel"), ("What did {p} get for the birthday?", "dish"),
      ("Who made the birthday food?", "rel"), ("When was {p}'s birthday?", "day")]),
    (("{p} went to {venue} with {rel} on {dayevening}.", "On {dayevening}, {p} and {rel} went to {venue}."),
     [("Who went to {venue} with {p}?", "rel"), ("Where did {p} go on {dayevening}?", "venue"),
      ("When did {p} go to {venue}?", "dayevening")]),
    (("{p}'s brother {p2} is a {job} in {city}.", "{p2}, the brother of {p}, works in {city} as a {job}."),
     [("Who is {p}'s brother?", "p2"), ("What does {p2} do?", "job"), ("Where does {p}'s brother work?", "city"),
      ("What is the name of {p}'s brother?", "p2")]),
    (("{p} moved from {city} to {city2} {prep}{when}.", "{Prep}{when_cap}, {p} left {city} for a new home in {city2}."),
     [("Where did {p} live before the move?", "city"), ("Where did {p} move from?", "city"),
      ("Where does {p} live now?", "city2"), ("Which city did {p} move to?", "city2"), ("When did {p} leave {city}?", "when")]),
    (("The {clock} train to {city} was {n} minutes late because of {late_cause}.",
      "{late_cause_cap} held up the {clock} train to {city} by {n} minutes."),
     [("Why was the {clock} train late?", "late_cause"), ("What delayed the train to {city}?", "late_cause"),
      ("How many minutes late was the {clock} train?", "n"), ("When was the delayed train due to leave?", "clock")]),
    (("The {group} meets on {recurring} at {venue}.", "On {recurring}, the {group} gets together at {venue}."),
     [("When does the {group} meet?", "recurring"), ("Where does the {group} meet?", "venue"),
      ("How often does the {group} meet?", "recurring")]),
    (("In {city}, {p} stayed at {lodging}, in a room with {feature}.",
      "{p} booked a room at {lodging} in {city}; it had {feature}."),
     [("What did {p}'s room have?", "feature"), ("Where did {p} stay in {city}?", "lodging"),
      ("In which city did {p} stay?", "city")]),
    (("{p} finished the {race} in {duration}.", "It took {p} {duration} to finish the {race}."),
     [("How long did {p} take to finish the {race}?", "duration"), ("What was {p}'s time in the {race}?", "duration"),
      ("Which race did {p} run?", "race")]),
    (("{p} sells {goods} at {market}, and {best} sell best.", "At {market}, {p} has a stall of {goods}; {best} go first."),
     [("What sells best at {p}'s stall?", "best"), ("What does {p} sell?", "goods"),
      ("Where does {p} sell {goods}?", "market")]),
    (("The number {route} bus runs every {nmin} {mins} until {late_clock}.",
      "Until {late_clock}, a number {route} bus comes every {nmin} {mins}."),
     [("How many minutes are there between number {route} buses?", "nmin"),
      ("How often does the number {route} bus come?", "nmin..mins"),
      ("Until what time does the number {route} bus run?", "late_clock")]),
)
