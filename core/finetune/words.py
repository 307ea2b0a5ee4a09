"""Word pools of the everyday demo sets (core/finetune/demo.py), written for this project.

Names of people, places and organisations are facts, not text; the pools mix cultures and kinds so a
model learns the context an entity stands in, not a short list. scripts/build_task_models.py widens them
at build time (Faker's names and companies, WordNet's cities and countries) for the shipped models.
"""

from __future__ import annotations

FIRST_NAMES = tuple("""
Ada Bruno Chen Dalia Emeka Farah Goran Hina Ivo Jun Kavya Lars Maria James Sofia Ahmed Olga Pedro Aisha Liam
Emma Noah Olivia Lucas Mia Ethan Chloe Daniel Grace Samuel Hannah Oscar Lily Leo Zara Omar Fatima Raj Anita
Wei Mei Hiroshi Yuki Kenji Sakura Min-jun Ji-woo Nguyen Thu Kofi Amara Chidi Ngozi Tunde Zainab Carlos Lucia
Diego Camila Mateo Valentina Pierre Claire Hans Greta Giulia Marco Anna Erik Ingrid Sean Siobhan Tom Kate
Paul Sarah Michael Laura David Rachel Ivan Natasha Tariq Leila Arjun Deepa Kwame Esi Bilal Nadia Jakob Elena
""".split())
SURNAMES = tuple("""
Smith Jones Brown Taylor Wilson Garcia Martinez Lopez Gonzalez Rossi Bianchi Muller Schmidt Fischer Dubois
Martin Bernard Novak Kowalski Nowak Ivanov Petrov Chen Wang Li Zhang Liu Tanaka Suzuki Sato Kim Park Lee
Nguyen Tran Patel Sharma Singh Gupta Khan Ahmed Hassan Ali Okafor Mensah Adeyemi Mwangi Otieno Silva Santos
Costa Pereira Oliveira Fernandes Hansen Johansson Larsen Nielsen Virtanen Murphy Kelly Walsh O'Brien Byrne
Cohen Levi Rahman Haddad Yilmaz Demir Kaya Moreau Laurent Romano Esposito Jensen Berg Lindqvist Okonkwo
""".split())
CITIES = (
    "Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Hanoi", "Perth", "Lyon", "Cusco", "Oslo", "London", "Paris",
    "Berlin", "Madrid", "Rome", "Vienna", "Prague", "Warsaw", "Dublin", "Edinburgh", "Manchester", "Glasgow",
    "New York", "Chicago", "Boston", "Seattle", "Toronto", "Montreal", "Vancouver", "Mexico City", "Buenos Aires",
    "Lima", "Bogota", "Sao Paulo", "Rio de Janeiro", "Cairo", "Lagos", "Accra", "Cape Town", "Johannesburg",
    "Addis Ababa", "Istanbul", "Athens", "Tehran", "Dubai", "Mumbai", "Delhi", "Bangalore", "Karachi", "Dhaka",
    "Bangkok", "Singapore", "Jakarta", "Manila", "Seoul", "Tokyo", "Kyoto", "Beijing", "Shanghai", "Sydney",
    "Melbourne", "Auckland", "Stockholm", "Helsinki", "Copenhagen", "Amsterdam", "Brussels", "Zurich", "Geneva",
    "Munich", "Hamburg", "Milan", "Naples", "Barcelona", "Seville", "Porto", "Krakow", "Budapest", "Bristol",
)
COUNTRIES = (
    "France", "Germany", "Spain", "Italy", "Portugal", "Poland", "Ireland", "Scotland", "England", "Wales",
    "Norway", "Sweden", "Finland", "Denmark", "Greece", "Turkey", "Egypt", "Kenya", "Nigeria", "Ghana",
    "Ethiopia", "Morocco", "South Africa", "India", "Pakistan", "Bangladesh", "China", "Japan", "Korea",
    "Vietnam", "Thailand", "Indonesia", "Australia", "New Zealand", "Canada", "Mexico", "Brazil", "Argentina",
    "Peru", "Chile", "Colombia", "Iceland", "Austria", "Switzerland", "the Netherlands", "Belgium", "Hungary",
)
# Rivers, mountains, regions, streets: places that are not cities or countries.
OTHER_PLACES = (
    "the Thames", "the Danube", "the Nile", "the Amazon", "the Rhine", "Lake Victoria", "Lake Como", "the Alps",
    "the Andes", "the Himalayas", "Mount Fuji", "Mount Everest", "Kilimanjaro", "Yorkshire", "Bavaria", "Tuscany",
    "Provence", "Patagonia", "Siberia", "California", "Texas", "Ontario", "Queensland", "Kerala", "Normandy",
    "Oxford Street", "Fifth Avenue", "Hyde Park", "Central Park", "the Sahara", "the Highlands", "Cornwall",
)
# Organisation names given whole; core/finetune/demo.py also builds them from patterns (ORG_PATTERNS).
ORGANISATIONS = (
    "Google", "Microsoft", "Amazon", "Toyota", "Nike", "Samsung", "Siemens", "IKEA", "Nestle", "Unilever",
    "the BBC", "Reuters", "the United Nations", "UNICEF", "the Red Cross", "NASA", "Oxfam", "Greenpeace",
    "the World Bank", "the European Union", "Barclays", "HSBC", "Deutsche Bank", "Volkswagen", "Airbus",
    "Boeing", "Spotify", "Netflix", "Intel", "Sony", "Nokia", "Real Madrid", "Manchester United", "Ajax",
    "the New York Times", "The Guardian", "Le Monde", "Harvard University", "Oxford University", "MIT",
    "Stanford University", "the Bank of England", "the World Health Organization", "Interpol", "FIFA",
    "the National Health Service", "Tesco", "Carrefour", "Lufthansa", "Qantas", "Shell", "Pfizer", "Adidas",
)
ORG_PATTERNS = (
    "University of {city}", "{city} University", "{city} City Council", "{surname} Bank", "Bank of {country}",
    "{city} United", "{city} FC", "the {city} Times", "the {city} Herald", "{surname} and Sons", "{surname} Motors",
    "{surname} Bakery", "{word} Airlines", "{word} Technologies", "{word} Foods", "{word} Energy", "{city} Zoo",
    "the {city} Symphony Orchestra", "{city} General Hospital", "{surname} & Partners", "{word} Insurance",
)
ORG_WORDS = ("Northwind", "Bluestone", "Silverline", "Greenfield", "Sunrise", "Redwood", "Atlas", "Horizon",
             "Pioneer", "Summit", "Evergreen", "Crescent", "Falcon", "Harbour", "Meridian", "Orchid", "Zenith")
# Other names (CoNLL's MISC): nationalities, languages, holidays and events, products.
NATIONALITIES = ("French", "German", "Spanish", "Italian", "Japanese", "Chinese", "Korean", "Brazilian", "Mexican",
                 "Indian", "Nigerian", "Kenyan", "Polish", "Irish", "Scottish", "Greek", "Turkish", "Swedish", "Dutch",
                 "Canadian", "American", "British", "Australian", "Egyptian", "Thai", "Vietnamese", "Peruvian")
LANGUAGES = ("English", "French", "Spanish", "German", "Arabic", "Hindi", "Portuguese", "Russian", "Japanese",
             "Mandarin", "Swahili", "Italian", "Turkish", "Polish", "Korean", "Dutch", "Greek", "Urdu")
EVENTS = ("Christmas", "Easter", "Ramadan", "Diwali", "Hanukkah", "Eid", "Thanksgiving", "New Year", "the Olympics",
          "the World Cup", "Wimbledon", "the Tour de France", "the Champions League", "the Super Bowl",
          "the Eurovision Song Contest", "Halloween")
PRODUCTS = ("iPhone", "PlayStation", "Kindle", "Walkman", "Xbox", "Galaxy", "Polaroid", "Lego")
# Adjectives that carry the verdict of a sentence; the subjects they fit are chosen by topic.
POSITIVE = ("wonderful", "great", "excellent", "lovely", "amazing", "fantastic", "brilliant", "perfect",
            "superb", "delightful", "pleasant", "enjoyable", "beautiful", "impressive", "outstanding", "terrific",
            "charming", "marvellous", "good", "nice", "fun", "gorgeous", "stunning", "magical")
NEGATIVE = ("terrible", "awful", "horrible", "dreadful", "disappointing", "poor", "bad", "boring", "dull",
            "miserable", "unpleasant", "annoying", "frustrating", "useless", "disgusting", "painful", "depressing",
            "ugly", "confusing", "tedious", "nasty", "pathetic", "mediocre")
# Adjectives that fit only some subjects (a delicious hotel is odd): topic → (positive, negative).
TOPIC_ADJECTIVES = {
    "food": (("delicious", "tasty", "fresh", "perfect", "lovely"), ("bland", "stale", "cold", "greasy", "disgusting")),
    "place": (("clean", "cosy", "peaceful", "beautiful", "comfortable"), ("dirty", "noisy", "crowded", "shabby", "filthy")),
    "people": (("friendly", "helpful", "kind", "polite", "generous"), ("rude", "unhelpful", "careless", "lazy", "arrogant")),
    "thing": (("reliable", "quick", "excellent", "brilliant", "smooth"), ("broken", "flimsy", "useless", "slow", "unreliable")),
    "show": (("funny", "exciting", "moving", "brilliant", "stunning"), ("boring", "dull", "tedious", "confusing", "predictable")),
    "event": (("wonderful", "relaxing", "fun", "magical", "enjoyable"), ("miserable", "exhausting", "stressful", "depressing", "awful")),
}
SUBJECTS = {
    "food": ("the food", "the pasta", "the soup", "the pizza", "the coffee", "the cake", "dinner", "the bread",
             "the curry", "breakfast", "the salad", "the sushi", "the burger", "the dessert", "lunch", "the tea"),
    "place": ("the hotel", "our room", "the restaurant", "the cafe", "the beach", "the park", "the flat",
              "the museum", "the campsite", "the gym", "the station", "the hospital", "the library", "the office"),
    "people": ("the staff", "the waiter", "the teacher", "the doctor", "our guide", "the driver", "the nurse",
               "my neighbour", "the manager", "the receptionist", "the coach", "the landlord", "the crew"),
    "thing": ("my new phone", "the laptop", "the app", "the speaker", "this camera", "the washing machine",
              "the printer", "the bike", "the car", "the website", "the charger", "this jacket", "the sofa"),
    "show": ("the film", "the movie", "this book", "the concert", "the play", "the show", "the album",
             "the match", "the game", "the lecture", "the series", "the novel", "the exhibition", "the song"),
    "event": ("the trip", "the holiday", "the wedding", "the party", "the weekend", "our flight", "the journey",
              "the festival", "the day out", "the meeting", "my birthday", "the first week", "the course"),
}
# Whole events that are good or bad news without a verdict word.
GOOD_EVENTS = ("everything arrived on time", "the staff went out of their way to help us", "we laughed all evening",
               "the kids did not want to leave", "I slept like a baby", "they gave us a free upgrade",
               "the sun shone all week", "it works perfectly", "I would happily go back", "I got the job",
               "we finished early and went for ice cream", "the team won in the last minute")
BAD_EVENTS = ("it broke after two days", "we waited an hour for our food", "nobody answered the phone",
              "the train was cancelled again", "they lost our luggage", "it rained every single day",
              "I want my money back", "the battery died within an hour", "I fell asleep halfway through",
              "they charged us twice", "the heating never worked", "we missed the last bus home")
