"""The Findings page's own corpus: plain everyday two-sentence texts, written for this project.

Every attention and contextuality card reads these pairs as BERT reads a pair, `[CLS] A [SEP] B [SEP]`; the
head-importance card masks words in each sentence alone. Fifteen common words (CONTEXT_WORDS) each occur in at
least five pairs, most of them in several senses (a *light* box, turn on the *light*, *light* the candles), so
the contextuality card can compare one word's vectors across contexts.
"""

from __future__ import annotations

# (sentence A, sentence B): B follows A, as in a short everyday text.
PAIRS: tuple[tuple[str, str], ...] = (
    ("She turned on the light in the kitchen.", "The water in the kettle was already warm."),
    ("The box was light enough for a child to carry.", "He left it by the door of the house."),
    ("We caught the early train to the coast.", "It was cold, so I read a book on the way."),
    ("The children play in the park after school.", "Their parents watch them from a bench."),
    ("My brother lost his watch at the beach.", "He spent a long time looking for it in the sand."),
    ("I need a sheet of paper and a pen.", "The letter has to be in the post by noon."),
    ("She poured a glass of water for her guest.", "They sat in the garden and talked for a long time."),
    ("The glass in the window cracked during the storm.", "Cold air came into the house all night."),
    ("He gave her a gold ring on her birthday.", "She wore it every day for years."),
    ("Did you hear the phone ring a minute ago?", "I think it was your mother calling."),
    ("In spring the trees in the park turn green.", "Birds build their nests in the branches."),
    ("The old bed has a broken spring in it.", "We will buy a new one next week."),
    ("They drink water from a clear mountain spring.", "It tastes sweet and very cold."),
    ("I run three miles every morning before work.", "Then I take a shower and eat breakfast."),
    ("The shop is run by a family from the village.", "They open at eight and close at six."),
    ("Coaches train the team twice a week.", "The players run laps around the field."),
    ("It is time to go home.", "The last bus leaves in ten minutes."),
    ("This is the first time I have seen the sea.", "The waves are bigger than I thought."),
    ("Their house has a red door and a small garden.", "A cat sleeps on the step in the spring sun."),
    ("The house voted on the new law today.", "Most members agreed with the plan."),
    ("I caught a cold last week.", "I stayed in bed and drank hot tea."),
    ("She was cold to him after the argument.", "They did not speak for two days."),
    ("He wrote a book about his life at sea.", "It sold well in many countries."),
    ("Please book a table for four at seven.", "We want to sit near the window."),
    ("We had a picnic in the park on Sunday.", "The grass was still wet from the rain."),
    ("You can park the car behind the library.", "There is always a free space there."),
    ("The actors play a family that moves to a new town.", "The show was on television last night."),
    ("We went to see a play at the theatre.", "The tickets were cheap, and the seats were good."),
    ("The morning light came through the curtains.", "I got up and opened the window."),
    ("Light the candles before the guests arrive.", "Then put the cake on the table."),
    ("The train was late because of the snow.", "We waited on the platform for an hour."),
    ("They train dogs to find people lost in the mountains.", "The work is hard, but it saves lives."),
    ("Watch out for the ice on the steps.", "It is easy to slip and fall."),
    ("We like to watch the stars from the roof.", "On clear nights we can see the moon as well."),
    ("He reads the paper with his coffee every morning.", "Today the news was about the election."),
    ("The walls were covered in old paper.", "We took it off and painted them blue."),
    ("The boxer stepped into the ring.", "The crowd began to shout his name."),
    ("She broke a glass while washing the dishes.", "Her hand was cut, so she put on a bandage."),
    ("Plants need water and light to grow.", "Put them near a window and check the soil."),
    ("Do not let the tap run while you brush your teeth.", "Every drop of water counts in a dry summer."),
    ("The museum keeps the old book behind glass.", "Visitors may look, but they must not touch."),
    ("Let me play you a song on the piano.", "I learned it when I was a child."),
    ("The kids made a paper boat and put it on the pond.", "The wind pushed it to the other side in no time."),
    ("A ring of stones marked the old fire.", "Someone had camped there in the spring."),
    ("Our team will play the final at home.", "Everyone in town wants to watch the game."),
    ("The new house is close to the train station.", "I can walk there in five minutes."),
    ("She left her book on the train.", "Someone handed it in at the ticket office."),
    ("The program will run on any old laptop.", "It needs very little memory."),
    ("Wrap the glass in paper before you pack it.", "It must not break on the way."),
    ("The bells ring at noon on Sunday.", "Then people walk out of the church into the light."),
    ("They built a car park where the old house stood.", "Now the street is full of cars."),
)

# Words the contextuality card follows across the pairs: each occurs in at least MIN_PAIRS_PER_WORD of them.
CONTEXT_WORDS: tuple[str, ...] = (
    "light", "play", "run", "train", "watch", "paper", "glass", "ring", "spring", "water", "time", "house",
    "cold", "book", "park",
)
MIN_PAIRS_PER_WORD = 5


def sentences() -> list[str]:
    """Every sentence of the corpus on its own, A then B of each pair. (2 × pairs,)"""
    return [sentence for pair in PAIRS for sentence in pair]
