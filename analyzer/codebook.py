"""The default reason taxonomy: ids and the definitions coders and the model card use.

This is the project's own copy of the codebook (the team's coding contract). Analysts who retrain on
their own taxonomy bring their own ids; definitions are then whatever their card says.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "product_failure": "The product or service does not work as it should: faults, outages, drop-outs, "
                       "bugs, crashes, a failing app or site, speed or quality below what was promised.",
    "misconfiguration": "Something was set up, provisioned, ordered or recorded wrongly by the company or "
                        "its systems: wrong package or settings, order mistakes or cancellations in error, "
                        "wrong equipment, wrong account details, incorrect installation.",
    "lack_of_training": "The customer lacked know-how, instructions, onboarding, documentation or guidance "
                        "to use or set up the product, and had to work it out alone.",
    "plan_confusion": "Confusion, surprise or dispute about what a plan, contract, bill, price, offer or "
                      "discount includes or costs; unexpected charges; terms not explained.",
    "delay": "Waiting too long: for delivery, installation, activation, a fix, a reply or a call-back; "
             "missed, moved or cancelled appointments; no-shows.",
    "poor_support": "Unhelpful, rude, uninformed or inconsistent staff; hard to reach; long holds; passed "
                    "around; no call-backs; not kept informed; having to chase or repeat oneself.",
    "difficult_process": "Buying, ordering, setting up, switching, cancelling or paying was hard, "
                         "complicated or took several attempts, with no more specific problem reason.",
    "works_well": "The product or service works: reliable, fast, good quality, does what it should.",
    "good_support": "Helpful, friendly, patient, knowledgeable or responsive staff; good communication; "
                    "problems solved well.",
    "easy_process": "Buying, ordering, setting up, installing, switching or paying was easy, quick, "
                    "simple or smooth.",
    "price": "The level of price or value for money, good or bad.",
    "general_praise": "Positive with no more specific reason (only when no driver reason fits).",
    "general_complaint": "Negative with no more specific reason (only when no problem reason fits).",
    "other": "A real reason no other id covers (only provider in the area, recommended by family, too "
             "early to judge, damage caused by an engineer...).",
}

PROBLEMS = ("product_failure", "misconfiguration", "lack_of_training", "plan_confusion", "delay",
            "poor_support", "difficult_process")
DRIVERS = ("works_well", "good_support", "easy_process")


def definition(reason: str) -> str:
    return REASONS.get(reason, "")
