from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, ValidationFailed


class CallbackDone(Conflict):
    code = "callback_done"
    default_message = _("This callback has already been recorded.")


class CallbackResultInvalid(ValidationFailed):
    code = "callback_result_invalid"
    default_message = _("Choose whether the customer was reached.")


class SatisfactionRequired(ValidationFailed):
    code = "satisfaction_required"
    default_message = _("The customer was reached: record a satisfaction score from 1 to 5.")


class SatisfactionRange(ValidationFailed):
    code = "satisfaction_range"
    default_message = _("Satisfaction is a score from 1 to 5.")


class DescriptionRequired(ValidationFailed):
    code = "description_required"
    default_message = _("Describe the complaint.")


class AnswerRequired(ValidationFailed):
    code = "answer_required"
    default_message = _("Write the answer given to the customer.")
