"""Each stored vocabulary is checked by the database (`cases.vocabulary`, `models.in_vocabulary`).

The choices of the fields that had none (case state, recommendation, notification basis, and the
prosecution's origin, CPS decision, outcome and sentence) are recorded, and every field that holds
a vocabulary value gets a `CheckConstraint` allowing exactly that vocabulary's values (and the
blank "not recorded" where the field may be blank). No data changes: every value the service has
written is in its vocabulary.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_safeguarding_and_timeline"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="recommendation",
            field=models.CharField(
                choices=[
                    ("divert", "Divert"),
                    ("prosecute", "Prosecute"),
                    ("needs_information", "Needs more information"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="state",
            field=models.CharField(
                choices=[
                    ("referral", "Referral received and prioritised"),
                    ("investigation", "Arrested; under investigation"),
                    ("assessed", "Risk assessed"),
                    ("decision_pending", "Disposal proposed; awaiting approval"),
                    ("diversion_approved", "Diversion approved; caution to be administered"),
                    ("caution_active", "Conditional caution in force"),
                    ("caution_complete", "Caution conditions completed"),
                    ("prosecution", "Prosecution"),
                    ("prosecution_concluded", "Prosecution concluded"),
                    ("no_further_action", "No further action"),
                    ("closed", "Closed"),
                ],
                db_index=True,
                default="referral",
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="disposalproposal",
            name="recommendation",
            field=models.CharField(
                choices=[
                    ("divert", "Divert"),
                    ("prosecute", "Prosecute"),
                    ("needs_information", "Needs more information"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="notificationrecord",
            name="basis",
            field=models.CharField(
                choices=[("conditional_caution", "conditional caution"), ("sentence", "sentence")],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="prosecution",
            name="cps_decision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("charge", "Charge"),
                    ("no_further_action", "No further action"),
                    ("further_evidence_needed", "Further evidence needed"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="prosecution",
            name="origin",
            field=models.CharField(
                choices=[
                    ("charge_decision", "Charge decision"),
                    ("caution_breach", "Breach of conditional caution (CJA 2003 s.24)"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="prosecution",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("convicted", "Convicted"),
                    ("acquitted", "Acquitted"),
                    ("discontinued", "Discontinued"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="prosecution",
            name="sentence_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("custody", "Immediate custody"),
                    ("suspended_sentence", "Suspended sentence"),
                    ("community_order", "Community order"),
                    ("fine", "Fine"),
                    ("conditional_discharge", "Conditional discharge"),
                    ("absolute_discharge", "Absolute discharge"),
                    ("hospital_order", "Hospital order"),
                    ("hospital_order_with_restriction", "Hospital order with restriction"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=models.Q(("recommendation__in", ["divert", "prosecute", "needs_information"])),
                name="assessment_recommendation_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "referral",
                            "investigation",
                            "assessed",
                            "decision_pending",
                            "diversion_approved",
                            "caution_active",
                            "caution_complete",
                            "prosecution",
                            "prosecution_concluded",
                            "no_further_action",
                            "closed",
                        ],
                    )
                ),
                name="case_state_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("referral_source__in", ["nca_ceop", "industry", "local_intelligence"])),
                name="case_referral_source_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("offence__in", ["pca1978_s1", "cja1988_s160"])),
                name="case_offence_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("priority_band__in", ["very_high", "high", "medium", "low", ""])),
                name="case_priority_band_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="childlink",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("relationship__in", ["household", "family_or_friends", "occupation", "volunteering"])
                ),
                name="childlink_relationship_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="childlink",
            constraint=models.CheckConstraint(
                condition=models.Q(("age_band__in", ["under_5", "5_11", "12_15", "16_17", "unknown"])),
                name="childlink_age_band_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="disposalproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["diversion", "charge", "no_further_action"])),
                name="disposalproposal_kind_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="disposalproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "approved", "rejected"])),
                name="disposalproposal_status_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="disposalproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("recommendation__in", ["divert", "prosecute", "needs_information"])),
                name="disposalproposal_recommendation_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="enforcement",
            constraint=models.CheckConstraint(
                condition=models.Q(("youngest_depicted__in", ["under_16", "16_17", "unknown", ""])),
                name="enforcement_youngest_depicted_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["conditional_caution", "sentence"])),
                name="notificationrecord_basis_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="priorityrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("band__in", ["very_high", "high", "medium", "low"])),
                name="priorityrecord_band_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="prosecution",
            constraint=models.CheckConstraint(
                condition=models.Q(("origin__in", ["charge_decision", "caution_breach"])),
                name="prosecution_origin_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="prosecution",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("cps_decision__in", ["charge", "no_further_action", "further_evidence_needed", ""])
                ),
                name="prosecution_cps_decision_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="prosecution",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["convicted", "acquitted", "discontinued", ""])),
                name="prosecution_outcome_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="prosecution",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "sentence_type__in",
                        [
                            "custody",
                            "suspended_sentence",
                            "community_order",
                            "fine",
                            "conditional_discharge",
                            "absolute_discharge",
                            "hospital_order",
                            "hospital_order_with_restriction",
                            "",
                        ],
                    )
                ),
                name="prosecution_sentence_type_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="recordreview",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["retain", "erase"])),
                name="recordreview_outcome_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="safeguarding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "s47_outcome__in",
                        [
                            "pending",
                            "no_further_action",
                            "child_in_need",
                            "child_protection_conference",
                            "not_applicable",
                            "",
                        ],
                    )
                ),
                name="safeguarding_s47_outcome_in_vocabulary",
            ),
        ),
        migrations.AddConstraint(
            model_name="safeguarding",
            constraint=models.CheckConstraint(
                condition=models.Q(("dbs_decision__in", ["referred", "not_referred", ""])),
                name="safeguarding_dbs_decision_in_vocabulary",
            ),
        ),
    ]
